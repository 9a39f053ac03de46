from django.http import HttpResponse


def bench_bare(request):
    """The framework's ceiling for the load benchmark: the whole middleware stack, no
    work. Routed only when BARO_BENCH=1 (set by apps/bench/load/bench.py)."""
    return HttpResponse("ok", content_type="text/plain")
