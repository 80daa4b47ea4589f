"""Write a checkout's local .env: a random SECRET_KEY and the local defaults.

Run by `make run` and `make test` the first time (plain Python, no
dependencies, so it works before the virtualenv exists). It never overwrites
an existing file, and it writes through a temporary file and a rename, so an
interrupt leaves either no .env or a whole one.
"""

import os
import secrets
import sys
import tempfile
from pathlib import Path

TEMPLATE = """\
# Story Bank: this checkout's local settings, written by `make run` / `make test`.
# Git ignores this file. Real environment variables take precedence over it;
# the test suite does not read it. Production sets its own SECRET_KEY instead.
SECRET_KEY={secret_key}
"""


def write_env_file(path: Path) -> bool:
    """Create `path` with a fresh SECRET_KEY unless it exists; True if written."""
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=".env.", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(TEMPLATE.format(secret_key=secrets.token_urlsafe(50)))
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o600)
        try:
            # link() fails if another process wrote .env first: keep theirs.
            os.link(temporary, path)
        except FileExistsError:
            return False
    finally:
        os.unlink(temporary)
    return True


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else ".env")
    if write_env_file(target):
        print(f"Wrote {target} with a new random SECRET_KEY.")
