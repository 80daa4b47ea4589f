from django.apps import AppConfig


class BenchConfig(AppConfig):
    """Benchmark tooling (the `bench_data` command). Installed only by bench/settings.py."""

    name = "bench"
