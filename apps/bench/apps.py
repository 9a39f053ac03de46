from django.apps import AppConfig


class BenchConfig(AppConfig):
    """Measuring tools: the load benchmarks (``load/``), the EXPLAIN commands and the
    bare view the benchmark uses as the framework's ceiling. The shop never imports it."""

    name = "apps.bench"
    label = "bench"
