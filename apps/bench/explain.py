"""EXPLAIN ANALYZE a queryset, for the measuring commands (PostgreSQL)."""

from __future__ import annotations

import re

from django.db import connection
from django.db.models import QuerySet


def explain_analyze(queryset: QuerySet, runs: int) -> tuple[list[float], list[str]]:
    """Execution times (ms) of ``runs`` EXPLAIN ANALYZE runs, and the last plan."""
    sql, params = queryset.query.sql_with_params()
    return explain_statement(sql, list(params), runs)


def explain_statement(sql: str, params: list, runs: int) -> tuple[list[float], list[str]]:
    """``explain_analyze`` for a statement written out."""
    times: list[float] = []
    plan: list[str] = []
    with connection.cursor() as cursor:
        for _ in range(runs):
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
            plan = [row[0] for row in cursor.fetchall()]
            line = next(line for line in plan if line.startswith("Execution Time"))
            times.append(float(re.search(r"([\d.]+) ms", line).group(1)))
    return times, plan
