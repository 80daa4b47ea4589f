"""The build tooling (Makefile, pyproject.toml, uv.lock, requirements/uv.txt): uv.lock is the
only source of installed versions, and make refuses a stale one."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
UV = ROOT / ".venv-uv" / "bin" / "uv"

pytestmark = pytest.mark.skipif(not UV.exists(), reason="uv is installed by `make test`")


def lock_check(project: Path) -> subprocess.CompletedProcess:
    # --offline: the check compares the two files; it must never need a registry.
    return subprocess.run(
        [str(UV), "lock", "--check", "--offline", "--project", str(project)],
        capture_output=True,
        text=True,
    )


def stale_lock_reported(stderr: str) -> bool:
    """uv found that the lock no longer satisfies pyproject.toml.

    It says so outright when its cache holds the registry's metadata; with a cold
    cache (a fresh machine) it says instead that a fresh resolution is needed and
    --offline forbids one. Either way it refused the stale lock; any other
    failure (a bad file, say) is not this.
    """
    return "needs to be updated" in stderr or (
        "No solution found" in stderr and "network was disabled" in stderr
    )


@pytest.fixture
def project(tmp_path):
    for name in ("pyproject.toml", "uv.lock"):
        shutil.copy(ROOT / name, tmp_path / name)
    return tmp_path


def test_the_committed_lock_matches_pyproject(project):
    completed = lock_check(project)
    assert completed.returncode == 0, completed.stderr


def test_a_dependency_dropped_from_pyproject_fails_the_check(project):
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text()
    assert '"python-dotenv' in text
    pyproject.write_text(
        "\n".join(line for line in text.splitlines() if "python-dotenv" not in line)
    )
    completed = lock_check(project)
    assert completed.returncode != 0
    assert stale_lock_reported(completed.stderr), completed.stderr


def test_a_dependency_missing_from_the_lock_fails_the_check(project):
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text()
    pyproject.write_text(text.replace("dependencies = [", 'dependencies = [\n    "six",', 1))
    completed = lock_check(project)
    assert completed.returncode != 0
    assert stale_lock_reported(completed.stderr), completed.stderr


def test_every_locked_package_carries_a_hash():
    text = (ROOT / "uv.lock").read_text()
    packages = text.count("\n[[package]]\n")
    # The project itself is the one entry without an artifact.
    with_artifacts = sum(1 for block in text.split("\n[[package]]\n")[1:] if "hash = " in block)
    assert packages > 30 and with_artifacts == packages - 1


def test_uv_itself_is_pinned_with_hashes():
    lines = (ROOT / "requirements" / "uv.txt").read_text().splitlines()
    assert any(line.startswith("uv==") for line in lines)
    assert sum("--hash=sha256:" in line for line in lines) >= 5
