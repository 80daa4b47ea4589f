"""The checkout's .env: written once with a random key, read by manage.py, never required
in production."""

import os
import subprocess
import sys
from pathlib import Path

from config.local_env import write_env_file

ROOT = Path(__file__).resolve().parents[2]


def manage(*args: str, env_file: Path) -> subprocess.CompletedProcess:
    """Run manage.py as a user would from a shell: no SECRET_KEY, DEBUG or test flag set."""
    env = {
        k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "STORYBANK_TESTING"}
    }
    # No database work is needed for `check`; a URL keeps the embedded server out of it.
    env |= {
        "STORYBANK_ENV_FILE": str(env_file),
        "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, capture_output=True, text=True, env=env
    )


def test_written_file_holds_a_random_secret_key(tmp_path):
    first, second = tmp_path / "a" / ".env", tmp_path / "b" / ".env"
    assert write_env_file(first) and write_env_file(second)
    keys = [
        line.split("=", 1)[1]
        for path in (first, second)
        for line in path.read_text().splitlines()
        if line.startswith("SECRET_KEY=")
    ]
    assert len(keys) == 2 and keys[0] != keys[1] and len(keys[0]) >= 50
    assert oct(first.stat().st_mode & 0o777) == "0o600"
    assert [p.name for p in first.parent.iterdir()] == [".env"], "no temporary file left behind"


def test_an_existing_file_is_never_overwritten(tmp_path):
    path = tmp_path / ".env"
    path.write_text("SECRET_KEY=mine\n")
    assert write_env_file(path) is False
    assert path.read_text() == "SECRET_KEY=mine\n"


def test_manage_py_works_as_printed_with_the_checkout_env_file(tmp_path):
    env_file = tmp_path / ".env"
    write_env_file(env_file)
    completed = manage("check", env_file=env_file)
    assert completed.returncode == 0, completed.stderr
    assert "no issues" in completed.stdout


def test_without_an_env_file_production_still_requires_a_secret_key(tmp_path):
    completed = manage("check", env_file=tmp_path / "missing.env")
    assert completed.returncode != 0
    assert "SECRET_KEY must be set" in completed.stderr
