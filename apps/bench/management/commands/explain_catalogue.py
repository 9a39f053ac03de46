"""EXPLAIN ANALYZE the catalogue list queries, exactly as the pages run them.

    python manage.py seed_demo --products 1800000     # on PostgreSQL, once
    python manage.py explain_catalogue [--deep 1000] [--runs 7] [--plans]

For each list (popular / newest, all products / one category, first page / a page
N pages deep) it prints the median execution time over several runs and the access
path, and exits non-zero if a list query reads the product table sequentially.
"""

import re
import statistics
import time

from django.core.exceptions import EmptyResultSet
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from apps.bench.explain import explain_analyze, explain_statement
from apps.core.db import lift_statement_timeout
from apps.core.pagination import decode_cursor, encode_cursor, keyset_queryset
from apps.products import selectors
from apps.products.models import Category, Product
from apps.products.selectors import PAGE_SIZE, ProductQuery, Sort


class Command(BaseCommand):
    help = "EXPLAIN ANALYZE the popular/newest list queries (PostgreSQL)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--deep", type=int, default=1000, help="How many pages deep (default 1000)."
        )
        parser.add_argument(
            "--runs", type=int, default=7, help="Runs per query; the median is shown."
        )
        parser.add_argument(
            "--category", default="shoes", help="Category slug for the filtered cases."
        )
        parser.add_argument("--plans", action="store_true", help="Print each full plan.")

    def handle(self, *args, deep: int, runs: int, category: str, plans: bool, **options):
        if connection.vendor != "postgresql":
            raise CommandError("explain_catalogue needs PostgreSQL (set DATABASE_URL).")
        lift_statement_timeout()  # building a big scratch catalogue takes longer
        total = Product.objects.filter(is_active=True).count()
        try:
            shoes = Category.objects.get(slug=category)
        except Category.DoesNotExist:
            raise CommandError(f"No category {category!r}: run seed_demo first.") from None
        self.stdout.write(
            f"{total:,} active products; page size {PAGE_SIZE}; median of {runs} runs\n"
        )
        self.stdout.write(
            f"{'list':<34} {'page':>6} {'median ms':>10} {'build ms':>9}  access path"
        )

        failures = []
        cases = [
            ("popular", ProductQuery(sort=Sort.POPULAR)),
            (f"popular, category={category}", ProductQuery(sort=Sort.POPULAR, category=shoes)),
            ("newest (30 days)", ProductQuery(sort=Sort.NEWEST)),
            (f"newest, category={category}", ProductQuery(sort=Sort.NEWEST, category=shoes)),
            ("search 'wool' (common), popular", ProductQuery(sort=Sort.POPULAR, text="wool")),
            (
                "search 'cashmere beanie', newest",
                ProductQuery(sort=Sort.NEWEST, text="cashmere beanie"),
            ),
            ("search 'parka' (no match)", ProductQuery(sort=Sort.POPULAR, text="parka")),
        ]
        for label, query in cases:
            for page_number in (1, deep + 1):
                cursor = self._cursor_before_page(query, page_number)
                if cursor is False:
                    self.stdout.write(f"{label:<34} {page_number:>6} {'-':>10}  (list is shorter)")
                    continue
                # Building the list may itself query (a search probes the GIN index
                # first); that time is measured from here and shown beside the plan.
                setup_times = []
                for _ in range(runs):
                    started = time.perf_counter()
                    base = self._build(query)
                    setup_times.append((time.perf_counter() - started) * 1000)
                try:
                    times, plan = self._explain(query, base, cursor, runs)
                except EmptyResultSet:
                    times, plan = [0.0], ["(no match: answered without a page query)"]
                path = self._access_path(plan) if len(plan) > 1 else plan[0]
                median = statistics.median(times)
                setup = statistics.median(setup_times)
                self.stdout.write(
                    f"{label:<34} {page_number:>6} {median:>10.2f} {setup:>9.2f}  {path}"
                )
                if plans:
                    self.stdout.write("\n".join(f"    {line}" for line in plan) + "\n")
                if re.search(r"Seq Scan on products_product\b", "\n".join(plan)):
                    failures.append(f"{label} page {page_number}: sequential scan")
        if failures:
            raise CommandError("; ".join(failures))

    @staticmethod
    def _build(query: ProductQuery):
        """What the page builds before its statement: the ORM's query for a search
        (with its probe), the statement written out for a sorted list."""
        if query.text:
            return selectors.product_list_queryset(query)
        return selectors.product_list_statement(
            query, after=None, size=PAGE_SIZE, using=connection.alias
        )

    @staticmethod
    def _explain(query: ProductQuery, base, cursor: str | None, runs: int):
        """The plan of the statement the page runs: written out for a sorted list,
        the ORM's query for a search."""
        keys, kind = Sort.KEYS[query.sort], selectors.list_kind(query)
        if query.text:
            queryset = keyset_queryset(base, keys=keys, cursor=cursor, size=PAGE_SIZE, kind=kind)
            return explain_analyze(queryset, runs)
        after = decode_cursor(cursor, kind=kind, length=len(keys)) if cursor else None
        sql, params = selectors.product_list_statement(
            query, after=after, size=PAGE_SIZE, using=connection.alias
        )
        return explain_statement(sql, params, runs)

    def _cursor_before_page(self, query: ProductQuery, page_number: int):
        """The cursor a shopper holds after scrolling through page_number - 1 pages.
        (OFFSET here only finds that row; the pages themselves never use it.)"""
        if page_number == 1:
            return None
        keys = Sort.KEYS[query.sort]
        offset = (page_number - 1) * PAGE_SIZE - 1
        ordered = selectors.product_list_queryset(query).order_by(*(f"-{k}" for k in keys))
        row = ordered.values_list(*keys)[offset : offset + 1]
        row = list(row)
        if not row:
            return False
        return encode_cursor(list(row[0]), kind=selectors.list_kind(query))

    @staticmethod
    def _access_path(plan: list[str]) -> str:
        scans = []
        for line in plan:
            if "products_product_id" in line and "Index Cond: (id = ANY" in line:
                scans.append("ids from the GIN probe")
            found = re.search(
                r"((?:Index Only |Bitmap Index |Bitmap Heap |Index |Seq )Scan)(?: Backward)? (?:using (\S+) )?on (products_\w+)",
                line,
            )
            if found and found.group(3) == "products_product":
                scans.append(f"{found.group(1)}{' ' + found.group(2) if found.group(2) else ''}")
        return ", ".join(dict.fromkeys(scans)) or "?"
