"""bench/settings.py: the product's settings plus the `bench` app, so `bench_data` is a
command of the benchmark only."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def manage_help(*settings: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "help", "bench_data", *settings],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.django_db(transaction=False)
def test_bench_data_is_not_a_product_command():
    product = manage_help()
    assert product.returncode != 0
    assert "Unknown command: 'bench_data'" in product.stderr
    # Positive control: the benchmark's settings do install it.
    bench = manage_help("--settings", "bench.settings")
    assert bench.returncode == 0, bench.stderr
    assert "--stories" in bench.stdout
