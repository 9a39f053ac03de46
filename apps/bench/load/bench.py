"""The load benchmark behind ``make bench``.

    python apps/bench/load/bench.py [--users 500] [--spawn-rate 20] [--duration 180]

1. Prepares a PostgreSQL database of its own (baro_bench; reused when present) with
   100,000 products, 5,000 looks and 1,000 shoppers (password bench-password-2026).
2. Starts gunicorn with production settings and Redis sessions on 127.0.0.1.
3. Runs the locust scenario (apps/bench/load/locustfile.py, FastHttpUser) headless: --users shoppers,
   ramped up at --spawn-rate per second, measured for --duration seconds after the
   ramp-up (statistics are reset when the ramp-up ends).
4. Runs the same gunicorn against a bare Django view (no think time) for the
   framework's ceiling on this machine, the shop's mix with no think time, and
   --look-users closed-loop visitors on one look page (the original team's test).
5. Stops everything, audits stock (initial = remaining + sold, oversold = 0) and
   writes bench-results.json and a table, with the CPU share the generator and the
   server took in each phase.

Shoppers start logged in: their sessions are written into Redis up front, exactly
as a login writes them, so the run measures shopping rather than 500 PBKDF2 hashes.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from apps.bench.load import common

PORT = 8767
PRODUCTS = 100_000
LOOKS = 5_000
SHOPPERS = 1_000
SHOPPER_PASSWORD = "bench-password-2026"  # noqa: S105 - benchmark accounts on a throw-away database
HOT_PRODUCTS = 40
HOT_STOCK = 25
RESULTS = common.ROOT / "bench-results.json"
# The phases, in the order they run: 500 shoppers with think time, then with no think
# time the bare view, the shop's mix and one look page (--phases picks some of them).
PHASES = ("shop", "bare", "saturated", "look")
CPU_NAMES = {
    "shop": "shop",
    "bare": "bare_view_ceiling",
    "saturated": "shop_mix_saturated",
    "look": "look_page_closed_loop",
}
RESULTS_CLUSTER = common.ROOT / "bench-results-cluster.json"


def prepare_data() -> None:
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command

    from apps.accounts.models import User
    from apps.products.models import Product
    from apps.swipe.models import Look

    if Product.objects.count() < PRODUCTS or Look.objects.count() < LOOKS:
        print(f"bench data: seeding {PRODUCTS:,} products and {LOOKS:,} looks (once)...")
        call_command("seed_demo", products=PRODUCTS, looks=LOOKS, reset=True)
    have = set(
        User.objects.filter(email__startswith="bench-shopper-").values_list("email", flat=True)
    )
    password = make_password(SHOPPER_PASSWORD)  # one hash, shared: same password for all
    missing = [
        User(
            email=email,
            name=f"Shopper {index}",
            password=password,
            shipping_address="1 Seongsu-ro, Seoul",
        )
        for index in range(SHOPPERS)
        if (email := f"bench-shopper-{index:04d}@baro.local") not in have
    ]
    User.objects.bulk_create(missing, batch_size=1000)


def prepare_run(workdir: Path) -> dict:
    """Sessions for every shopper, the hot sizes restocked, and their stock noted."""
    from apps.accounts.models import User
    from apps.orders.models import CartItem
    from apps.products.models import Product, Variant
    from apps.swipe.models import Look

    shoppers = list(User.objects.filter(email__startswith="bench-shopper-").order_by("email"))
    CartItem.objects.filter(user__in=shoppers).delete()
    sessions = common.log_in_sessions(shoppers)
    (workdir / "sessions.json").write_text(json.dumps(list(sessions.values())))

    hot = list(
        Product.objects.filter(is_active=True).order_by("-likes_count", "-id")[:HOT_PRODUCTS]
    )
    Variant.objects.filter(product__in=hot).update(stock=HOT_STOCK)
    variants = list(Variant.objects.filter(product__in=hot).values_list("product_id", "id"))
    by_product: dict[str, list[str]] = {}
    for product_id, variant_id in variants:
        by_product.setdefault(str(product_id), []).append(str(variant_id))
    look = Look.objects.filter(is_active=True).order_by("-likes_count", "-id").first()
    (workdir / "catalogue.json").write_text(
        json.dumps({"hot": list(by_product.items()), "look": look.get_absolute_url()})
    )
    return {int(variant_id): HOT_STOCK for _, variant_id in variants}


def audit(initial: dict[int, int], since_id: int) -> dict:
    from django.db.models import Sum

    from apps.orders.models import Order, OrderItem
    from apps.products.models import Variant

    remaining = dict(Variant.objects.filter(pk__in=list(initial)).values_list("id", "stock"))
    sold = dict(
        OrderItem.objects.filter(order_id__gte=since_id, order__status=Order.Status.ORDERED)
        .values("variant_id")
        .annotate(units=Sum("quantity"))
        .values_list("variant_id", "units")
    )
    mismatched = [v for v in initial if remaining[v] + sold.get(v, 0) != initial[v]]
    return {
        "sizes_on_sale": len(initial),
        "initial_units": sum(initial.values()),
        "remaining_units": sum(remaining.values()),
        "sold_units": sum(sold.values()),
        "orders": Order.objects.filter(pk__gte=since_id).count(),
        "sold_out_sizes": sum(1 for v in remaining.values() if v == 0),
        "oversold_units": sum(max(0, sold.get(v, 0) - initial[v]) for v in initial),
        "negative_stock_sizes": sum(1 for v in remaining.values() if v < 0),
        "conservation_mismatches": len(mismatched),
    }


def run_locust(
    workdir: Path,
    server: common.Gunicorn | common.ClusterServer,
    *,
    users: int,
    spawn_rate: float,
    seconds: int,
    prefix: str,
    bare: bool = False,
    no_wait: bool = False,
    user_class: str = "Shopper",
) -> tuple[Path, dict]:
    """Run one locust phase; return its CSV prefix and where the CPU went meanwhile:
    the generator's (locust) and the server's (gunicorn), each as CPU seconds and as a
    share of all the machine's cores. The CPU is measured over the same window as
    locust's figures: from the end of the ramp (locust resets its statistics once every
    user has started) to the end of the run time, so the CPU of the ramp is not divided
    among requests counted after it."""
    ramp = users / spawn_rate
    env = common.bench_environment(
        BENCH_SESSIONS=str(workdir / "sessions.json"),
        BENCH_CATALOGUE=str(workdir / "catalogue.json"),
        BENCH_BARE="1" if bare else "0",
        BENCH_NO_WAIT="1" if no_wait else "0",
    )
    csv_prefix = workdir / prefix
    cores = os.cpu_count() or 1
    generator = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "locust",
            "-f",
            str(Path(__file__).with_name("locustfile.py")),
            user_class,
            "--headless",
            "-u",
            str(users),
            "-r",
            str(spawn_rate),
            "-t",
            f"{int(ramp + seconds)}s",
            "--host",
            f"http://{common.HOST}:{server.port}",
            "--csv",
            str(csv_prefix),
            "--reset-stats",
            "--only-summary",
            "--loglevel",
            "WARNING",
            "--stop-timeout",
            "10",
        ],
        env=env,
        cwd=common.ROOT,
    )
    started = time.monotonic()

    def sample(at: float) -> tuple[float, float, float] | None:
        """(wall, server CPU, generator CPU) at ``at`` seconds into the run, or None if
        locust has already ended."""
        time.sleep(max(0.0, started + at - time.monotonic()))
        if generator.poll() is not None:
            return None
        return time.monotonic(), server.cpu_seconds(), common.cpu_seconds([generator.pid])

    # A second after the ramp (locust takes about that to start), to its last second.
    first = sample(int(ramp) + 1)
    last = sample(int(ramp) + seconds) if first else None
    if generator.wait() != 0:
        raise subprocess.CalledProcessError(generator.returncode, "locust")
    if not (first and last):
        raise RuntimeError(f"locust ended before its {prefix} phase's window closed")
    wall, server_cpu, generator_cpu = (b - a for a, b in zip(first, last, strict=True))
    cpu = {
        "seconds": round(wall, 1),
        "generator_cpu_s": round(generator_cpu, 1),
        "server_cpu_s": round(server_cpu, 1),
        "generator_share": round(generator_cpu / (wall * cores), 3),
        "server_share": round(server_cpu / (wall * cores), 3),
    }
    return csv_prefix, cpu


def read_stats(csv_prefix: Path) -> tuple[list[dict], dict]:
    with open(f"{csv_prefix}_stats.csv") as stats, open(f"{csv_prefix}_failures.csv") as fails:
        rows, failures = list(csv.DictReader(stats)), list(csv.DictReader(fails))

    def number(row, key):
        value = row.get(key, "") or "0"
        return float(value) if value != "N/A" else None

    endpoints = []
    overall = {}
    for row in rows:
        entry = {
            "name": row["Name"] if row["Type"] else "Aggregated",
            "method": row["Type"],
            "requests": int(row["Request Count"]),
            "failures": int(row["Failure Count"]),
            "rps": round(number(row, "Requests/s"), 1),
            "p50_ms": number(row, "50%"),
            "p95_ms": number(row, "95%"),
            "p99_ms": number(row, "99%"),
        }
        if row["Name"] == "Aggregated":
            overall = entry
        else:
            endpoints.append(entry)
    overall["failures_by_type"] = {
        f"{row['Method']} {row['Name']}: {row['Error']}": int(row["Occurrences"])
        for row in failures
    }
    return endpoints, overall


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--spawn-rate", type=float, default=20)
    parser.add_argument("--duration", type=int, default=180, help="Seconds measured after ramp-up.")
    parser.add_argument("--bare-users", type=int, default=50)
    parser.add_argument("--bare-duration", type=int, default=30)
    parser.add_argument("--look-users", type=int, default=500)
    parser.add_argument("--look-duration", type=int, default=30)
    parser.add_argument("--output", type=Path, default=None)
    parser.add_argument(
        "--phases",
        default=",".join(PHASES),
        help="The phases to run, comma-separated, out of " + ", ".join(PHASES) + " (default: all).",
    )
    parser.add_argument(
        "--cluster",
        action="store_true",
        help="Run through HAProxy over three app nodes, PgBouncer, a replica and Redis "
        "with Sentinels (deploy/cluster.py), started for the run and stopped after it.",
    )
    args = parser.parse_args()
    args.output = args.output or (RESULTS_CLUSTER if args.cluster else RESULTS)
    args.phases = tuple(phase.strip() for phase in args.phases.split(",") if phase.strip())
    if not args.phases or set(args.phases) - set(PHASES):
        parser.error(f"--phases takes some of {', '.join(PHASES)}, comma-separated")

    cluster_dir = tempfile.TemporaryDirectory(prefix="baro-bench-cluster-")
    cluster = common.ClusterServer(Path(cluster_dir.name)) if args.cluster else None
    try:
        if cluster:
            print("bench: starting the cluster (deploy/cluster.py)...")
            cluster.start()  # stopped below even when it does not come up whole
        else:
            common.ensure_database()
        report = run(args, cluster)
    finally:
        if cluster:
            cluster.stop()
        cluster_dir.cleanup()
    show(report, args)


def _at_most(value: float | None, limit: float) -> bool:
    return value is not None and value <= limit


def run(args, cluster: common.ClusterServer | None) -> dict:
    common.setup_django()
    prepare_data()
    from apps.core import tsid

    with tempfile.TemporaryDirectory(prefix="baro-bench-") as tmp:
        workdir = Path(tmp)
        initial = prepare_run(workdir)
        since_id = tsid.new_tsid()
        started = time.time()
        server = cluster or common.Gunicorn(PORT, extra_env={"BARO_BENCH": "1"})
        # With no think time: the bare view (the framework's limit here) and the shop's
        # own mix (its limit), at the same concurrency; then the original team's own
        # test, closed-loop clients on one look page, like ``wrk -t2 -c500 -d30s``
        # (theirs: 534 req/s, p99 1,450 ms on 4 vCPUs).
        settings = {
            "shop": {"users": args.users, "seconds": args.duration},
            "bare": {"users": args.bare_users, "seconds": args.bare_duration, "bare": True},
            "saturated": {
                "users": args.bare_users,
                "seconds": args.bare_duration,
                "no_wait": True,
            },
            "look": {
                "users": args.look_users,
                "seconds": args.look_duration,
                "user_class": "LookVisitor",
            },
        }
        with server:
            ran = {
                name: run_locust(
                    workdir,
                    server,
                    spawn_rate=args.spawn_rate if name == "shop" else settings[name]["users"],
                    prefix=name,
                    **settings[name],
                )
                for name in PHASES
                if name in args.phases
            }
            workers, threads = server.workers, server.threads
        stats = {name: read_stats(csv_prefix) for name, (csv_prefix, _cpu) in ran.items()}
        endpoints, overall = stats.get("shop", ([], {}))
        bare, saturated, look_page = (stats.get(name, ([], {}))[1] for name in PHASES[1:])

    stock = audit(initial, since_id)
    swipe = next((e for e in endpoints if e["name"] == "/swipe/[look]/"), {})
    shop, look = ("shop" in ran) or None, ("look" in ran) or None
    report = {
        "phases": list(ran),
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(started)),
        "machine": {"cores": os.cpu_count()},
        "topology": (
            "cluster: HAProxy, 3 gunicorn nodes, PgBouncer, a streaming replica, "
            "Redis with 3 Sentinels"
            if cluster
            else "one gunicorn"
        ),
        "settings": {
            "users": args.users,
            "spawn_rate": args.spawn_rate,
            "measured_seconds": args.duration,
            "think_time_s": [1, 3],
            "gunicorn_workers": workers,
            "gunicorn_threads": threads,
        },
        "overall": overall,
        "endpoints": sorted(endpoints, key=lambda e: -e["requests"]),
        "bare_view_ceiling": bare,
        "shop_mix_saturated": saturated,
        # Throughput the real page mix sustains with no think time, as a share of what
        # the same gunicorn serves for a view that does nothing.
        "fraction_of_ceiling": round(saturated["rps"] / bare["rps"], 3)
        if bare.get("rps") and saturated.get("rps") is not None
        else None,
        "look_page_closed_loop": {**look_page, "clients": args.look_users},
        # Where the two cores went in each phase: the load generator (locust,
        # FastHttpUser) against the server (gunicorn), as shares of all cores.
        "cpu": {CPU_NAMES[name]: cpu for name, (_csv_prefix, cpu) in ran.items()},
        "stock_audit": stock,
        # A target whose phase did not run is null.
        "targets": {
            "overall_p95_le_100ms": shop and _at_most(overall.get("p95_ms"), 100),
            "swipe_p95_le_50ms": shop and _at_most(swipe.get("p95_ms"), 50),
            "zero_failed_requests": shop and overall.get("failures") == 0,
            "zero_oversold_units": stock["oversold_units"] == 0
            and stock["negative_stock_sizes"] == 0,
            "look_page_ge_534_rps": look and (look_page.get("rps") or 0) >= 534,
            "look_page_p99_lt_1450ms": look
            and look_page.get("p99_ms") is not None
            and look_page["p99_ms"] < 1450,
        },
    }
    args.output.write_text(json.dumps(report, indent=2))
    return report


def show(report: dict, args) -> None:
    overall, saturated = report["overall"], report["shop_mix_saturated"]
    bare, look_page, stock = (
        report["bare_view_ceiling"],
        report["look_page_closed_loop"],
        report["stock_audit"],
    )
    print(f"\n{report['topology']}")
    print(
        f"\n{'endpoint':<32} {'reqs':>7} {'fail':>5} {'req/s':>7} {'p50':>6} {'p95':>6} {'p99':>6}"
    )
    for e in [
        *report["endpoints"],
        {**overall, "name": "ALL"},
        {**saturated, "name": "shop mix, no think time"},
        {**bare, "name": "bare view, no think time"},
        {**look_page, "name": f"one look page, {args.look_users} clients"},
    ]:
        if "requests" not in e:
            continue  # a phase that did not run
        print(
            f"{e['name'][:32]:<32} {e['requests']:>7} {e['failures']:>5} {e['rps']:>7} "
            f"{e['p50_ms']:>6.0f} {e['p95_ms']:>6.0f} {e['p99_ms']:>6.0f}"
        )
    if report["fraction_of_ceiling"] is not None:
        print(
            f"\nwith no think time the shop's pages reach {report['fraction_of_ceiling']:.1%} "
            "of the bare view's throughput"
        )
    for phase, cpu in report["cpu"].items():
        print(
            f"cpu, {phase}: generator {cpu['generator_share']:.0%} of the cores, "
            f"server {cpu['server_share']:.0%}"
        )
    print(f"stock audit: {json.dumps(stock)}")
    print(f"targets: {json.dumps(report['targets'])}")
    print(f"written to {args.output}")


if __name__ == "__main__":
    main()
