from django.apps import AppConfig


class BenchConfig(AppConfig):
    """Benchmark data and scenarios (`generate_bench_data`, `run_bench`); no models."""

    name = "prm.bench"
    label = "bench"
    verbose_name = "Benchmarks"
