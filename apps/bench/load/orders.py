"""Order placement under load, over HTTP, against gunicorn on PostgreSQL and Redis.

    python apps/bench/load/orders.py --buyers 50 --seconds 20            # both scenarios
    python apps/bench/load/orders.py --scenario hot --buyers 50

Scenarios:
  hot    every buyer buys one unit of the same size, again and again ("buy now"),
         until the stock runs out or time is up;
  carts  every buyer fills a cart with 3 random sizes out of 20 and checks out.
Each checkout is a real page flow: GET the checkout form (CSRF token, one-time key),
POST it. Latency is measured on the POST. Afterwards a stock audit checks, per size,
that initial stock = remaining + units in orders, and that nothing went below zero.
Also prints the database's own ceiling for the same transaction shape (pgbench).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from apps.bench.load import common

PORT = 8766


def prepare(scenario: str, buyers: int, stock: int):
    from apps.accounts.models import Store, User
    from apps.orders.models import CartItem
    from apps.products.models import Category, Product, Variant

    owner, _ = User.objects.get_or_create(
        email="bench-seller@baro.local", defaults={"name": "Bench"}
    )
    store, _ = Store.objects.get_or_create(name="Bench Store", defaults={"owner": owner})
    category, _ = Category.objects.get_or_create(slug="bench", defaults={"name": "Bench"})
    count = 1 if scenario == "hot" else 20
    tag = f"{scenario}-{int(time.time())}"
    variants = []
    for index in range(count):
        product = Product.objects.create(
            store=store, category=category, name=f"Bench {tag} #{index}", base_price=39_000
        )
        variants.append(
            Variant.objects.create(product=product, size="M", stock=stock, sku=f"{tag}-{index}")
        )
    users = []
    for index in range(buyers):
        user, _ = User.objects.get_or_create(
            email=f"bench-buyer-{index:04d}@baro.local",
            defaults={"name": f"Buyer {index}", "shipping_address": "1 Bench-ro, Seoul"},
        )
        users.append(user)
    CartItem.objects.filter(user__in=users).delete()
    return variants, users


def audit(variants, initial: int) -> dict:
    from django.db.models import Sum

    from apps.orders.models import Order, OrderItem
    from apps.products.models import Variant

    oversold = negative = 0
    sold_total = 0
    for variant in variants:
        remaining = Variant.objects.get(pk=variant.pk).stock
        sold = (
            OrderItem.objects.filter(
                variant_id=variant.pk, order__status=Order.Status.ORDERED
            ).aggregate(n=Sum("quantity"))["n"]
            or 0
        )
        sold_total += sold
        negative += remaining < 0
        oversold += max(0, sold - initial)
        assert remaining + sold == initial, f"stock not conserved for {variant.pk}"
    return {
        "sizes": len(variants),
        "units_sold": sold_total,
        "oversold_units": oversold,
        "negative_stock_rows": negative,
    }


def buyer_loop(port, cookie, scenario, variant_ids, deadline, results, lock):
    browser = common.Browser(port=port, cookies={"sessionid": cookie})
    browser.request("GET", "/cart/")  # a first page, as a browser would: sets the CSRF cookie
    rng = random.Random(cookie)
    while time.monotonic() < deadline:
        if scenario == "hot":
            query = urlencode({"variant": str(variant_ids[0]), "quantity": 1})
            status, _, page = browser.request("GET", f"/orders/checkout/?{query}")
            extra = {"variant": str(variant_ids[0]), "quantity": "1"}
        else:
            for variant_id in rng.sample(variant_ids, 3):
                browser.request(
                    "POST", "/cart/items/", urlencode({"variant": str(variant_id)}), htmx=True
                )
            status, _, page = browser.request("GET", "/orders/checkout/")
            extra = {}
        if status == 302:  # the cart stayed empty: every size it tried is sold out
            with lock:
                results["empty_carts"] += 1
            time.sleep(0.05)
            continue
        if status != 200:
            with lock:
                key = f"checkout page {status}"
                results["errors"][key] = results["errors"].get(key, 0) + 1
            break
        form = {
            "csrfmiddlewaretoken": common.form_value(page, "csrfmiddlewaretoken"),
            "idempotency_key": common.form_value(page, "idempotency_key"),
            "shipping_address": "1 Bench-ro, Seoul",
            **extra,
        }
        started = time.perf_counter()
        status, _headers, body = browser.request("POST", "/orders/checkout/", urlencode(form))
        elapsed = (time.perf_counter() - started) * 1000
        with lock:
            if status == 302:
                results["orders"] += 1
                results["latencies"].append(elapsed)
            elif status == 409 and ("sold out" in body or "left of" in body):
                results["out_of_stock"] += 1
                results["latencies"].append(elapsed)
                if scenario == "hot":
                    return  # nothing left to buy
            else:
                message = re.search(r'class="form-error"[^>]*>([^<]+)', body)
                key = f"{status} {message.group(1) if message else ''}".strip()
                results["errors"][key] = results["errors"].get(key, 0) + 1
        if scenario == "carts":
            # Clear what is left of a failed cart so the next round starts clean.
            for item_id in set(
                re.findall(r"/cart/items/([0-9A-Z]{13})/", browser.request("GET", "/cart/")[2])
            ):
                browser.request(
                    "POST", f"/cart/items/{item_id}/", urlencode({"quantity": "0"}), htmx=True
                )


def run_scenario(server, scenario: str, buyers: int, seconds: int, stock: int) -> dict:
    variants, users = prepare(scenario, buyers, stock)
    cookies = common.log_in_sessions(users)
    results = {"orders": 0, "out_of_stock": 0, "empty_carts": 0, "latencies": [], "errors": {}}
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    started = time.monotonic()
    cpu = common.CpuMeter(server)
    threads = [
        threading.Thread(
            target=buyer_loop,
            args=(
                PORT,
                cookies[user.pk],
                scenario,
                [v.pk for v in variants],
                deadline,
                results,
                lock,
            ),
        )
        for user in users
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    cpu = cpu.read()
    latencies = results["latencies"]
    return {
        "scenario": scenario,
        "buyers": buyers,
        "seconds": round(elapsed, 1),
        "orders": results["orders"],
        "orders_per_second": round(results["orders"] / elapsed, 1),
        "out_of_stock_answers": results["out_of_stock"],
        "empty_carts": results["empty_carts"],
        "checkout_post_ms": {
            "p50": round(common.percentile(latencies, 0.50), 1),
            "p95": round(common.percentile(latencies, 0.95), 1),
            "p99": round(common.percentile(latencies, 0.99), 1),
        },
        "errors": results["errors"],
        "audit": audit(variants, stock),
        "cpu": cpu,
        # The server's CPU for each order placed (its pages and the POST), in ms.
        "server_cpu_ms_per_order": round(cpu["server_cpu_s"] / results["orders"] * 1000, 2)
        if results["orders"]
        else None,
    }


PGBENCH_SCHEMA = """
DROP TABLE IF EXISTS pgb_item, pgb_order, pgb_variant;
CREATE TABLE pgb_variant (id bigint PRIMARY KEY, stock integer NOT NULL CHECK (stock >= 0));
CREATE TABLE pgb_order (id bigserial PRIMARY KEY, total bigint, created_at timestamptz DEFAULT now());
CREATE TABLE pgb_item (id bigserial PRIMARY KEY, order_id bigint, variant_id bigint, quantity int);
INSERT INTO pgb_variant SELECT g, 100000000 FROM generate_series(1, 20) g;
"""
PGBENCH_SCRIPT = {
    "hot": """\\set v 1
BEGIN;
SELECT stock FROM pgb_variant WHERE id = :v FOR NO KEY UPDATE;
UPDATE pgb_variant SET stock = stock - 1 WHERE id = :v;
INSERT INTO pgb_order (total) VALUES (39000) RETURNING id \\gset
INSERT INTO pgb_item (order_id, variant_id, quantity) VALUES (:id, :v, 1);
COMMIT;
""",
    "carts": """\\set a random(1, 18)
\\set b :a + 1
\\set c :a + 2
BEGIN;
SELECT stock FROM pgb_variant WHERE id IN (:a, :b, :c) ORDER BY id FOR NO KEY UPDATE;
UPDATE pgb_variant SET stock = stock - 1 WHERE id IN (:a, :b, :c);
INSERT INTO pgb_order (total) VALUES (117000) RETURNING id \\gset
INSERT INTO pgb_item (order_id, variant_id, quantity) VALUES (:id, :a, 1), (:id, :b, 1), (:id, :c, 1);
COMMIT;
""",
}


def pgbench_ceiling(scenario: str, clients: int, seconds: int) -> dict:
    url = common.BENCH_DATABASE_URL
    subprocess.run(["psql", url, "-qc", PGBENCH_SCHEMA], check=True, capture_output=True)
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as script:
        script.write(PGBENCH_SCRIPT[scenario])
    out = subprocess.run(
        [
            "pgbench",
            "-n",
            "-c",
            str(clients),
            "-j",
            "2",
            "-T",
            str(seconds),
            "-f",
            script.name,
            "-r",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    tps = float(re.search(r"tps = ([\d.]+)", out).group(1))
    latency = float(re.search(r"latency average = ([\d.]+) ms", out).group(1))
    subprocess.run(["psql", url, "-qc", "DROP TABLE pgb_item, pgb_order, pgb_variant"], check=True)
    return {"transactions_per_second": tps, "latency_average_ms": latency}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scenario", choices=["hot", "carts", "both"], default="both")
    parser.add_argument("--buyers", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument(
        "--stock", type=int, default=None, help="Units per size (default: hot 400, carts 300)."
    )
    parser.add_argument("--json", type=Path, default=None, help="Also write the results here.")
    args = parser.parse_args()

    common.ensure_database()
    common.setup_django()
    scenarios = ["hot", "carts"] if args.scenario == "both" else [args.scenario]
    report = []
    with common.Gunicorn(PORT) as server:
        for scenario in scenarios:
            stock = args.stock or (400 if scenario == "hot" else 300)
            result = run_scenario(server, scenario, args.buyers, args.seconds, stock)
            result["pgbench"] = pgbench_ceiling(scenario, args.buyers, min(args.seconds, 15))
            report.append(result)
            print(json.dumps(result, indent=2))
    failed = any(r["audit"]["oversold_units"] or r["audit"]["negative_stock_rows"] for r in report)
    print()
    print(
        f"{'scenario':<8} {'orders/s':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7} "
        f"{'oversold':>9} {'pgbench tps':>12} {'web/db':>7}"
    )
    for r in report:
        tps = r["pgbench"]["transactions_per_second"]
        print(
            f"{r['scenario']:<8} {r['orders_per_second']:>9} {r['checkout_post_ms']['p50']:>8} "
            f"{r['checkout_post_ms']['p95']:>8} {r['checkout_post_ms']['p99']:>8} "
            f"{sum(r['errors'].values()):>7} {r['audit']['oversold_units']:>9} {tps:>12.0f} "
            f"{r['orders_per_second'] / tps:>7.1%}"
        )
    for r in report:
        shares = ", ".join(f"{name} {share:.0%}" for name, share in r["cpu"]["shares"].items())
        print(
            f"cpu, {r['scenario']}: {shares} of the cores; "
            f"gunicorn {r['server_cpu_ms_per_order']} ms per order"
        )
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
