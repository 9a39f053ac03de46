"""EXPLAIN ANALYZE the swipe feed for a shopper with tens of thousands of swipes.

It writes synthetic looks and swipes, so it runs only in a database of its own (a name
ending in ``_explain`` or ``_bench``) and refuses any other:

    createdb baro_explain
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/baro_explain
    python manage.py migrate && python manage.py seed_demo
    python manage.py explain_feed --looks 60000 --swipes 50000

Adds synthetic looks (copies of existing ones' covers and categories) until there
are --looks, gives one shopper (heavy-swiper@baro.local) --swipes swipes on the
looks a new shopper is shown first (the worst case: everything at the head of the
ranking is already swiped), then times the feed's queries. Re-running reuses the data.
"""

import random
import statistics
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from apps.accounts.models import User
from apps.bench.explain import explain_statement
from apps.core import tsid
from apps.core.db import lift_statement_timeout
from apps.swipe import selectors
from apps.swipe.models import Look, Swipe

HEAVY_EMAIL = "heavy-swiper@baro.local"
SCRATCH_SUFFIXES = ("_explain", "_bench")


class Command(BaseCommand):
    help = "EXPLAIN ANALYZE the feed query for a shopper with many swipes (PostgreSQL)."

    def add_arguments(self, parser):
        parser.add_argument("--looks", type=int, default=60_000)
        parser.add_argument("--swipes", type=int, default=50_000)
        parser.add_argument("--runs", type=int, default=7)
        parser.add_argument("--plans", action="store_true", help="Print the full plan.")

    def handle(self, *args, looks: int, swipes: int, runs: int, plans: bool, **options):
        if connection.vendor != "postgresql":
            raise CommandError("explain_feed needs PostgreSQL (set DATABASE_URL).")
        lift_statement_timeout()  # building a big scratch catalogue takes longer
        name = connection.settings_dict["NAME"]
        if not name.endswith(SCRATCH_SUFFIXES):
            raise CommandError(
                f"explain_feed adds thousands of made-up looks and swipes, so it refuses to run "
                f"in {name!r}. Point DATABASE_URL at a database of its own, named like "
                f"'baro_explain' (createdb baro_explain; migrate; seed_demo), and run it there."
            )
        if swipes >= looks:
            raise CommandError("--swipes must be below --looks (one swipe per look).")
        templates = list(Look.objects.values("cover", "category_mask", "store_id")[:500])
        if not templates:
            raise CommandError("No looks yet: run seed_demo first.")
        self._ensure_looks(looks, templates)
        shopper = self._ensure_shopper(swipes)

        taste_times, taste = [], None
        for _ in range(runs):
            started = time.perf_counter()
            taste = selectors.shopper_taste(user=shopper)
            taste_times.append((time.perf_counter() - started) * 1000)
        # A queue's worth, as a logged-in shopper's feed ranks them.
        statement = selectors.ranking_statement(
            user=shopper, taste=taste, limit=selectors.QUEUE_LENGTH, using="default"
        )
        times, plan = explain_statement(*statement, runs)
        total_looks = Look.objects.filter(is_active=True).count()
        swiped = Swipe.objects.filter(user=shopper).count()
        self.stdout.write(
            f"{total_looks:,} published looks; {HEAVY_EMAIL} has {swiped:,} swipes; "
            f"taste from {len(taste.categories)} categories, {len(taste.stores)} stores"
        )
        self.stdout.write(
            f"taste query (wall, median of {runs}): {statistics.median(taste_times):.2f} ms"
        )
        self.stdout.write(
            f"feed query EXPLAIN ANALYZE execution, median of {runs}: {statistics.median(times):.2f} ms"
            f" (min {min(times):.2f}, max {max(times):.2f})"
        )
        anti = [
            line.strip() for line in plan if "Anti Join" in line or "swipe_user_look_uniq" in line
        ]
        self.stdout.write("anti-join: " + (" | ".join(anti) or "none found"))
        if plans:
            self.stdout.write("\n".join(plan))

    def _ensure_looks(self, wanted: int, templates: list[dict]) -> None:
        have = Look.objects.count()
        if have >= wanted:
            return
        rng = random.Random(7)
        now_ms = int(time.time() * 1000)
        ids = tsid.Backdated()
        batch = []
        # Back-dated ids come out in time order, so the moments are drawn first, sorted.
        moments = sorted(now_ms - rng.randrange(60 * 86_400_000) for _ in range(wanted - have))
        for index, created_ms in enumerate(moments):
            template = rng.choice(templates)
            batch.append(
                Look(
                    id=ids.at(created_ms),
                    title=f"Archive look {index + 1}",
                    cover=template["cover"],
                    category_mask=template["category_mask"],
                    store_id=template["store_id"],
                    likes_count=max(0, int(rng.paretovariate(1.2) * 3) - 3),
                )
            )
        Look.objects.bulk_create(batch, batch_size=5000, ignore_conflicts=True)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE swipe_look")
        self.stdout.write(f"added {len(batch):,} looks")

    def _ensure_shopper(self, wanted: int) -> User:
        shopper, _ = User.objects.get_or_create(
            email=HEAVY_EMAIL, defaults={"name": "Heavy Swiper"}
        )
        have = Swipe.objects.filter(user=shopper).count()
        if have >= wanted:
            return shopper
        # The looks a new shopper sees first: exactly what a heavy swiper has been through.
        # The whole ranking with no taste, not only its candidate pool (a few hundred
        # looks), less the looks this shopper has swiped already.
        ranked = selectors.ranked_looks(
            user=shopper, taste=selectors.Taste(), limit=wanted - have, pool=False
        )
        look_ids = [int(look.pk) for look in ranked]
        rng = random.Random(11)
        now_ms = int(time.time() * 1000) - len(look_ids)
        ids = tsid.Backdated()
        rows = [
            (
                ids.at(now_ms + index),
                int(shopper.pk),
                look_id,
                "like" if rng.random() < 0.35 else "dislike",
            )
            for index, look_id in enumerate(look_ids)
        ]
        with transaction.atomic(), connection.cursor() as cursor:
            with cursor.cursor.copy(
                "COPY swipe_swipe (id, created_at, updated_at, user_id, look_id, reaction) FROM STDIN"
            ) as copy:
                for swipe_id, user_id, look_id, reaction in rows:
                    copy.write_row((swipe_id, "now", "now", user_id, look_id, reaction))
            cursor.execute("ANALYZE swipe_swipe")
        self.stdout.write(f"gave {HEAVY_EMAIL} {len(rows):,} more swipes")
        return shopper
