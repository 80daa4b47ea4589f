"""Load benchmark: Story Bank under gunicorn with production settings, driven by wrk.

    make bench                      # or: .venv/bin/python bench/run.py
    BENCH_SECONDS=5 make bench      # shorter run (seconds per page, default 20)

Steps, each bounded in time: start a separate embedded PostgreSQL
(var/bench-postgres, never the development database), migrate, make the data
(`manage.py bench_data --settings bench.settings`, bench/data.py), collectstatic, start
gunicorn on a free loopback port, check and warm every page, then drive each
page with wrk for BENCH_SECONDS at a fixed concurrency. Afterwards gunicorn is
stopped and every page is requested once more in-process (Django's test
client, same database, same settings) to count its SQL queries and to split
its time into database, template and Python. gunicorn and the PostgreSQL
server this script started are always stopped, on errors and Ctrl-C too.

Load only ever goes to 127.0.0.1. See bench/README.md for what the figures mean.
"""

import html
import json
import math
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from http.client import HTTPConnection
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
WORK = ROOT / "var" / "bench"
HOST = "127.0.0.1"


def env_int(name: str, default: int, low: int, high: int) -> int:
    raw = os.environ.get(name) or str(default)
    try:
        value = int(raw)
    except ValueError:
        sys.exit(f"{name} must be a whole number, not {raw!r}")
    if not low <= value <= high:
        sys.exit(f"{name} must be between {low} and {high}, not {value}")
    return value


SECONDS = env_int("BENCH_SECONDS", 20, 1, 600)
WARM_SECONDS = env_int("BENCH_WARM_SECONDS", 2, 0, 60)
# Two sync workers on two cores; eight connections keep four requests waiting
# for each worker, so a worker never idles between requests (the figures are
# the saturated throughput) while queueing adds only a few requests of delay.
# More connections would only lengthen the queue, and so the latencies.
WORKERS = env_int("BENCH_WORKERS", 2, 1, 16)
THREADS = env_int("BENCH_THREADS", 2, 1, 16)
CONNECTIONS = env_int("BENCH_CONNECTIONS", 8, 1, 256)
USERS = env_int("BENCH_USERS", 5, 1, 100)
STORIES = env_int("BENCH_STORIES", 100, 1, 2000)
# A hard ceiling on requests per page, whatever the duration: each POST to
# /practice/start/ opens a practice session, so that page is capped lower.
MAX_REQUESTS = env_int("BENCH_MAX_REQUESTS", 200_000, 100, 10_000_000)
MAX_SESSIONS = env_int("BENCH_MAX_SESSIONS", 20_000, 100, 1_000_000)
PROFILE_REQUESTS = env_int("BENCH_PROFILE_REQUESTS", 20, 1, 500)
SLOW_SHARE = 0.40
POSTGRES_DIR = Path(os.environ.get("BENCH_POSTGRES_DIR") or ROOT / "var" / "bench-postgres")


@dataclass
class Page:
    name: str
    path: str
    method: str = "GET"
    form: dict = field(default_factory=dict)
    expected: int = 200
    marker: str = ""  # text the response must contain (or the redirect's target)
    signed_in: bool = True
    cap: int = MAX_REQUESTS

    @property
    def slug(self) -> str:
        return "".join(c if c.isalnum() else "-" for c in self.name).strip("-")

    @property
    def body(self) -> str:
        return urlencode(self.form, doseq=True) if self.form else ""


def pages(data: dict) -> list[Page]:
    """What a signed-in user hits most, after the bare /healthz ceiling."""
    story, session = data["story_id"], data["practice_session_id"]
    return [
        Page("/healthz", "/healthz", marker="ok", signed_in=False),
        Page("/bank/", "/bank/", marker="Your story bank"),
        Page("/bank/<pk>/", f"/bank/{story}/", marker=html.escape(data["story_title"])),
        Page("/bank/coverage/", "/bank/coverage/", marker="<h1>Coverage</h1>"),
        Page(
            "POST /bank/review/",
            "/bank/review/",
            method="POST",
            form=data["review_form"],
            marker=" words",
        ),
        Page(
            "POST /practice/start/",
            "/practice/start/",
            method="POST",
            form={"mode": "level"},
            expected=302,
            marker="/practice/sessions/",
            cap=MAX_SESSIONS,
        ),
        Page(
            "/practice/sessions/<pk>/",
            f"/practice/sessions/{session}/",
            marker="Question 1 of",
        ),
    ]


# --- processes ------------------------------------------------------------------


def log(message: str) -> None:
    print(f"[bench {datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0:
        sys.exit(
            "wrk is not installed: run `sudo apt-get install -y wrk`, then `make bench` again."
        )
    log("wrk is missing; installing it with apt-get (Debian package 'wrk')")
    quiet = {"stdout": subprocess.DEVNULL, "timeout": 600, "check": False}
    apt = ["apt-get", "install", "-y", "-q", "wrk"]
    if subprocess.run(apt, **quiet).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], **quiet)
        subprocess.run(apt, **quiet)
    return shutil.which("wrk") or sys.exit("Could not install wrk; install it and retry.")


def start_postgres():
    """The bench's own embedded server; every child process gets it as DATABASE_URL.

    The children never join it themselves (DATABASE_URL is set): this process is
    its one client, so it stops when this script leaves it, and the watcher of
    config/embedded_postgres.py stops it if this script is killed with SIGKILL.
    """
    sys.path.insert(0, str(ROOT))
    from config.embedded_postgres import EmbeddedPostgres, EmbeddedPostgresError

    server = EmbeddedPostgres.at(POSTGRES_DIR)
    try:
        # Our own SIGTERM/SIGINT handlers (below) stop gunicorn first; keep them.
        return server, server.join(handle_signals=False)
    except EmbeddedPostgresError as error:
        sys.exit(f"bench: {error}")


def production_env(database_url: str) -> dict:
    """Production settings as deployed behind a TLS proxy (README, "docker compose").

    The proxy's header X-Forwarded-Proto: https is sent with every request and
    trusted, so SECURE_SSL_REDIRECT, HSTS, Secure cookies and the strict CSRF
    origin check all stay on, exactly as in production; only the TLS work,
    which the proxy would do, is left out.
    """
    env = {k: v for k, v in os.environ.items() if k not in {"STORYBANK_TESTING"}}
    for name in ("SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"):
        env.pop(name, None)
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        TRUST_X_FORWARDED_PROTO="true",
        DATABASE_URL=database_url,
        LOG_LEVEL="WARNING",
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def manage(env: dict, *args: str, timeout: int = 600) -> str:
    log("manage.py " + " ".join(args))
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode != 0:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def start_gunicorn(env: dict, port: int) -> subprocess.Popen:
    log(f"gunicorn config.wsgi -w {WORKERS} --bind {HOST}:{port}")
    logfile = open(WORK / "gunicorn.log", "w")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), "config.wsgi", "-w", str(WORKERS), "--bind", f"{HOST}:{port}"],
        cwd=ROOT,
        env=env,
        stdout=logfile,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: stopped by us, not by a stray Ctrl-C
    )


def stop_gunicorn(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    log("stopping gunicorn")
    process.terminate()  # graceful: the master stops its workers
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


# --- requests -------------------------------------------------------------------


def headers_for(page: Page, data: dict, port: int) -> dict:
    headers = {"X-Forwarded-Proto": "https"}
    if page.signed_in:
        session, csrf = data["session_cookie"], data["csrf_cookie"]
        headers["Cookie"] = f"{session['name']}={session['value']}; {csrf['name']}={csrf['value']}"
    if page.method == "POST":
        origin = f"https://{HOST}:{port}"
        headers.update(
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "X-CSRFToken": data["csrf_cookie"]["value"],
                "Origin": origin,
                "Referer": origin + "/bank/",
            }
        )
    return headers


def fetch(port: int, method: str, path: str, headers: dict, body: str = "") -> tuple[int, str]:
    connection = HTTPConnection(HOST, port, timeout=30)
    try:
        connection.request(method, path, body=body.encode() or None, headers=headers)
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        return response.status, response.getheader("Location") or text
    finally:
        connection.close()


def wait_for_health(port: int, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"gunicorn exited early; see {WORK / 'gunicorn.log'}")
        try:
            if fetch(port, "GET", "/healthz", {"X-Forwarded-Proto": "https"})[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.25)
    sys.exit(f"/healthz did not answer within {timeout:.0f} s; see {WORK / 'gunicorn.log'}")


def check_page(page: Page, data: dict, port: int) -> None:
    """One request by hand: a wrong cookie would otherwise benchmark the login redirect."""
    status, text = fetch(port, page.method, page.path, headers_for(page, data, port), page.body)
    if status != page.expected or page.marker not in text:
        sys.exit(
            f"{page.name} answered {status} (expected {page.expected} with {page.marker!r}):\n"
            f"{text[:800]}"
        )


# --- wrk --------------------------------------------------------------------------


def lua_string(text: str) -> str:
    out = []
    for byte in text.encode("utf-8"):
        char = chr(byte)
        out.append(char if 32 <= byte < 127 and char not in '"\\' else f"\\{byte:03d}")
    return '"' + "".join(out) + '"'


LUA_TEMPLATE = """-- Generated by bench/run.py for {name}: one request shape, checked and counted.
wrk.method = {method}
wrk.path = {path}
wrk.body = {body}
{headers}
local expected = {expected}
local cap = {cap}
local threads = {{}}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  unexpected = 0
  seen = 0
end

function response(status, headers, body)
  seen = seen + 1
  if status ~= expected then
    unexpected = unexpected + 1
  end
  if seen >= cap then
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local wrong = 0
  for _, thread in ipairs(threads) do
    wrong = wrong + thread:get("unexpected")
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {{"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d, ' ..
    '"unexpected_status": %d, "status_4xx_5xx": %d, ' ..
    '"connect": %d, "read": %d, "write": %d, "timeout": %d}}\\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
    wrong, e.status, e.connect, e.read, e.write, e.timeout))
end
"""


def lua_script(page: Page, data: dict, port: int) -> Path:
    headers = "\n".join(
        f"wrk.headers[{lua_string(k)}] = {lua_string(v)}"
        for k, v in headers_for(page, data, port).items()
    )
    script = WORK / f"{page.slug}.lua"
    script.write_text(
        LUA_TEMPLATE.format(
            name=page.name,
            method=lua_string(page.method),
            path=lua_string(page.path),
            body=lua_string(page.body) if page.body else "nil",
            headers=headers,
            expected=page.expected,
            cap=math.ceil(page.cap / THREADS),
        )
    )
    return script


def run_wrk(wrk: str, script: Path, port: int, seconds: int) -> dict:
    command = [
        wrk,
        f"-t{THREADS}",
        f"-c{CONNECTIONS}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(script),
        f"http://{HOST}:{port}/",
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    for line in done.stdout.splitlines():
        if line.startswith("BENCH_RESULT "):
            return json.loads(line.removeprefix("BENCH_RESULT "))
    sys.exit(f"wrk printed no result ({done.returncode}):\n{done.stdout}\n{done.stderr}")


def summarise(page: Page, raw: dict) -> dict:
    socket_errors = raw["connect"] + raw["read"] + raw["write"] + raw["timeout"]
    return {
        "page": page.name,
        "requests": raw["requests"],
        "rps": raw["requests"] / (raw["duration_us"] / 1e6),
        "p50_ms": raw["p50_us"] / 1000,
        "p95_ms": raw["p95_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "errors": raw["unexpected_status"] + socket_errors,
        "capped": raw["requests"] >= page.cap,
        "wrk": raw,
    }


# --- in-process profile -----------------------------------------------------------


def profile(env: dict, data_file: Path, page_list: list[Page]) -> dict:
    """Queries and the database/template/Python split, per page (bench/profile_pages.py)."""
    spec = WORK / "pages.json"
    spec.write_text(
        json.dumps(
            [
                {
                    "name": p.name,
                    "method": p.method,
                    "path": p.path,
                    "form": p.form,
                    "expected": p.expected,
                    "signed_in": p.signed_in,
                }
                for p in page_list
            ]
        )
    )
    out = WORK / "profile.json"
    command = [
        sys.executable,
        str(ROOT / "bench" / "profile_pages.py"),
        "--data",
        str(data_file),
        "--pages",
        str(spec),
        "--requests",
        str(PROFILE_REQUESTS),
        "--json-out",
        str(out),
    ]
    log(f"in-process profile: queries and time split over {PROFILE_REQUESTS} requests a page")
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        sys.exit(f"bench/profile_pages.py failed:\n{done.stderr[-3000:]}")
    return {row["page"]: row for row in json.loads(out.read_text())}


# --- report -----------------------------------------------------------------------


def report(rows: list[dict], profiles: dict, started: datetime, load: tuple) -> str:
    base = rows[0]["rps"] or 1
    lines = [
        f"Run of {started:%Y-%m-%d %H:%M %Z}".strip()
        + f" on {os.cpu_count()} cores: gunicorn -w {WORKERS} (sync), "
        f"wrk -t{THREADS} -c{CONNECTIONS}, {SECONDS} s a page, "
        f"{USERS} users × {STORIES} stories. Load average before the run (1 min) "
        f"{load[0]:.2f}: anything else running shares the cores.",
        "",
        "| page | req/s | p50 ms | p95 ms | p99 ms | errors | % of /healthz | queries |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        capped = " (capped)" if row["capped"] else ""
        lines.append(
            f"| `{row['page']}` | {row['rps']:.0f}{capped} | {row['p50_ms']:.1f} | "
            f"{row['p95_ms']:.1f} | {row['p99_ms']:.1f} | {row['errors']} | "
            f"{100 * row['rps'] / base:.0f}% | {profiles[row['page']]['queries']} |"
        )
    lines += [
        "",
        f"Where one request's time goes, in-process (mean of {PROFILE_REQUESTS} requests, "
        "one at a time; * = below 40% of /healthz):",
        "",
        "| page | total ms | database ms | template ms | Python ms |",
        "|---|---:|---:|---:|---:|",
    ]
    for row in rows:
        split = profiles[row["page"]]
        slow = " *" if row["rps"] < SLOW_SHARE * base else ""
        lines.append(
            f"| `{row['page']}`{slow} | {split['total_ms']:.1f} | {split['db_ms']:.1f} | "
            f"{split['template_ms']:.1f} | {split['python_ms']:.1f} |"
        )
    return "\n".join(lines)


def use_the_venv() -> None:
    """Django, gunicorn and embedded-postgres live in the project's .venv."""
    venv_python = VENV_BIN / "python"
    if Path(sys.prefix).resolve() != (ROOT / ".venv").resolve() and venv_python.exists():
        os.execv(venv_python, [str(venv_python), *sys.argv])


def main() -> None:
    use_the_venv()
    started, load = datetime.now().astimezone(), os.getloadavg()
    wrk = ensure_wrk()
    WORK.mkdir(parents=True, exist_ok=True)
    gunicorn = server = None
    try:
        log(f"starting the bench PostgreSQL in {POSTGRES_DIR}")
        server, database_url = start_postgres()
        env = production_env(database_url)
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "createcachetable")
        data_file = WORK / "data.json"
        manage(
            env,
            "bench_data",
            "--settings",
            "bench.settings",
            "--users",
            str(USERS),
            "--stories",
            str(STORIES),
            "--json-out",
            str(data_file),
        )
        manage(env, "collectstatic", "--noinput", "-v0")
        data = json.loads(data_file.read_text())
        page_list = pages(data)

        port = free_port()
        gunicorn = start_gunicorn(env, port)
        wait_for_health(port, gunicorn)
        rows = []
        for page in page_list:
            check_page(page, data, port)
            script = lua_script(page, data, port)
            if WARM_SECONDS:
                run_wrk(wrk, script, port, WARM_SECONDS)
            log(f"{page.name}: {SECONDS} s with wrk -t{THREADS} -c{CONNECTIONS}")
            rows.append(summarise(page, run_wrk(wrk, script, port, SECONDS)))
            log(f"{page.name}: {rows[-1]['rps']:.0f} req/s, {rows[-1]['errors']} errors")
        stop_gunicorn(gunicorn)

        profiles = profile(env, data_file, page_list)
        table = report(rows, profiles, started, load)
        (WORK / "results.json").write_text(
            json.dumps({"rows": rows, "profile": profiles}, indent=2)
        )
        print(table)
    finally:
        if gunicorn is not None:
            stop_gunicorn(gunicorn)
        if server is not None:
            log("stopping the bench PostgreSQL")
            server.leave()


def interrupt(signum, frame):
    raise KeyboardInterrupt


if __name__ == "__main__":
    # Explicitly, SIGINT too: a shell starting this in the background ignores it otherwise.
    signal.signal(signal.SIGTERM, interrupt)
    signal.signal(signal.SIGINT, interrupt)
    try:
        main()
    except KeyboardInterrupt:
        sys.exit("interrupted: gunicorn and the bench PostgreSQL were stopped")
