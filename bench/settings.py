"""The product's settings plus the `bench` app, for the benchmark's own commands only.

The product never installs `bench`: `manage.py bench_data` is an unknown command
unless `--settings bench.settings` is given (bench/run.py does).
"""

from config.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "bench.apps.BenchConfig"]  # noqa: F405
