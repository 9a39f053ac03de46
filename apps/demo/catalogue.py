"""A realistic demo catalogue, deterministic for a given seed.

Rows are generated as plain tuples and written in batches: PostgreSQL's COPY on
PostgreSQL (1.8 million products in minutes), executemany on SQLite. Ids are TSIDs
back-dated to each product's creation time, so "newest" and the 30-day window behave
as they would in a shop that has been open for two months.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction

from apps.accounts.models import Store, User
from apps.core import tsid
from apps.products import rules
from apps.products.models import Category, Product, ProductImage, ProductLike, Variant

from . import bulk
from . import images as demo_images

HISTORY_DAYS = 60
BATCH = 20_000

# (name, slug, share of products, garments drawn for it)
CATEGORIES = [
    ("Tops", "tops", 30, ["tshirt", "longsleeve", "shirt", "hoodie", "knit"]),
    ("Bottoms", "bottoms", 22, ["pants", "jeans", "shorts", "skirt"]),
    ("Outer", "outer", 14, ["jacket", "coat"]),
    ("Shoes", "shoes", 14, ["sneaker", "boots"]),
    ("Bags", "bags", 10, ["tote", "crossbody"]),
    ("Accessories", "accessories", 10, ["cap", "beanie"]),
]

NOUNS = {
    "tshirt": ["T-Shirt", "Tee", "Pocket Tee"],
    "longsleeve": ["Long Sleeve Tee", "Rugby Top", "Henley"],
    "shirt": ["Oxford Shirt", "Overshirt", "Poplin Shirt"],
    "hoodie": ["Hoodie", "Zip Hoodie", "Sweat Hoodie"],
    "knit": ["Knit Sweater", "Cardigan", "Crewneck Knit"],
    "jacket": ["Blouson", "Trucker Jacket", "Work Jacket"],
    "coat": ["Trench Coat", "Wool Coat", "Mac Coat"],
    "pants": ["Chinos", "Wide Trousers", "Cargo Pants"],
    "jeans": ["Denim Jeans", "Straight Jeans", "Wide Jeans"],
    "shorts": ["Shorts", "Bermuda Shorts", "Sweat Shorts"],
    "skirt": ["Pleated Skirt", "Midi Skirt", "A-Line Skirt"],
    "sneaker": ["Sneakers", "Court Sneakers", "Runners"],
    "boots": ["Chelsea Boots", "Work Boots", "Lace-Up Boots"],
    "tote": ["Tote Bag", "Canvas Tote", "Shopper Bag"],
    "crossbody": ["Crossbody Bag", "Mini Messenger", "Sling Bag"],
    "cap": ["Ball Cap", "Washed Cap", "Logo Cap"],
    "beanie": ["Beanie", "Rib Beanie", "Watch Cap"],
}
FITS = [
    "Oversized",
    "Relaxed",
    "Boxy",
    "Slim",
    "Cropped",
    "Essential",
    "Washed",
    "Heavyweight",
    "Vintage",
    "Classic",
    "Soft",
    "Daily",
    "Signature",
    "Minimal",
    "Everyday",
    "Loose",
]
MATERIALS = {
    "tops": ["cotton jersey", "brushed cotton", "linen blend", "merino wool", "waffle knit"],
    "bottoms": ["cotton twill", "selvedge denim", "nylon ripstop", "wool blend", "corduroy"],
    "outer": ["waxed cotton", "wool melton", "technical nylon", "canvas", "suede-touch polyester"],
    "shoes": ["leather", "suede", "canvas", "recycled mesh", "nubuck"],
    "bags": ["canvas", "vegan leather", "nylon", "leather", "recycled polyester"],
    "accessories": ["cotton", "acrylic rib", "wool blend", "washed twill", "cashmere blend"],
}
PRICES = {  # won, min and max, rounded to 100
    "tops": (19_000, 89_000),
    "bottoms": (29_000, 119_000),
    "outer": (69_000, 329_000),
    "shoes": (49_000, 259_000),
    "bags": (29_000, 199_000),
    "accessories": (12_000, 49_000),
}
BRAND_HEADS = [
    "Mono",
    "Hanok",
    "Lune",
    "Nine",
    "Oak",
    "Common",
    "Field",
    "Seoul",
    "Daily",
    "Norm",
    "Still",
    "Haze",
    "Sunday",
    "Blank",
    "Urban",
    "Quiet",
    "Neon",
    "Salt",
    "Stone",
    "Loop",
]
BRAND_TAILS = [
    "Studio",
    "Works",
    "Lab",
    "Club",
    "Archive",
    "Supply",
    "Atelier",
    "Goods",
    "Standard",
    "Department",
    "Collective",
    "Label",
    "Project",
    "Room",
    "House",
    "Form",
    "Line",
    "Unit",
    "Objects",
    "Society",
]
DEMO_SELLER_EMAIL = "seller@baro.local"


@dataclass
class SeedReport:
    stores: int = 0
    products: int = 0
    variants: int = 0
    images: int = 0
    images_drawn: int = 0
    likes: int = 0
    seconds: float = 0.0


def fan_count(products: int) -> int:
    """Demo fans for a catalogue of this size: enough for a long tail of likes."""
    return max(50, min(1000, products // 100))


def catalogue_exists() -> bool:
    return Product.objects.exists()


def reset_catalogue() -> None:
    """Remove the catalogue and the stores (orders keep their snapshots)."""
    models = [ProductLike, ProductImage, Variant, Product, Category, Store]
    if connection.vendor == "postgresql":
        tables = ", ".join(model._meta.db_table for model in models)
        with connection.cursor() as cursor:
            # Deferred FK checks still pending in an enclosing transaction would make
            # TRUNCATE refuse; run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"TRUNCATE {tables} CASCADE")
    else:
        for model in models:
            model.objects.all().delete()
    User.objects.filter(email__endswith="@sellers.baro.local").delete()
    bulk.delete_fans()


def _stores(rng: random.Random, count: int, ids: tsid.Backdated, now_ms: int) -> list[int]:
    seller, _ = User.objects.get_or_create(
        email=DEMO_SELLER_EMAIL,
        defaults={"name": "Demo Seller", "role": User.Role.SELLER, "is_staff": True},
    )
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < count:
        name = f"{rng.choice(BRAND_HEADS)} {rng.choice(BRAND_TAILS)}"
        if name in seen:
            name = f"{name} {len(names) + 1}"
        seen.add(name)
        names.append(name)
    owners = [seller]
    if count > 1:
        owners += User.objects.bulk_create(
            User(
                email=f"seller{index:04d}@sellers.baro.local",
                name=f"{names[index]} team",
                role=User.Role.SELLER,
                # unusable password: these sellers log in after an admin sets one
                password=make_password(None),
            )
            for index in range(1, count)
        )
    stores = Store.objects.bulk_create(
        Store(
            id=ids.at(now_ms - HISTORY_DAYS * 86_400_000 - 1000 + index),
            owner=owner,
            name=name,
            description=f"{name} makes {rng.choice(['everyday', 'quiet', 'bold', 'relaxed'])} clothes in Seoul.",
        )
        for index, (owner, name) in enumerate(zip(owners, names, strict=True))
    )
    return [store.pk for store in stores]


def seed_catalogue(
    *, products: int, seed: int = 2026, log: Callable[[str], None] = print
) -> SeedReport:
    started = time.monotonic()
    report = SeedReport()
    rng = random.Random(seed)
    ids = tsid.Backdated()
    now_ms = int(time.time() * 1000)

    report.images_drawn = demo_images.ensure_garment_images(settings.MEDIA_ROOT)
    log(
        f"images: {report.images_drawn} drawn, {len(demo_images.GARMENTS) * len(demo_images.COLOURS)} available"
    )

    with transaction.atomic():
        categories = []
        for position, (name, slug, share, kinds) in enumerate(CATEGORIES):
            category, _ = Category.objects.get_or_create(
                slug=slug, defaults={"name": name, "position": position}
            )
            categories.append((category.pk, slug, share, kinds))
        store_count = max(8, min(2000, products // 900))
        store_ids = _stores(rng, store_count, ids, now_ms)
        report.stores = len(store_ids)
        fans = bulk.fan_ids(fan_count(products))
    log(f"stores: {report.stores}")

    write_products = bulk.writer(
        Product._meta.db_table,
        [
            "id",
            "created_at",
            "updated_at",
            "store_id",
            "category_id",
            "name",
            "description",
            "base_price",
            "thumbnail",
            "likes_count",
            "is_active",
        ],
    )
    write_variants = bulk.writer(
        Variant._meta.db_table,
        [
            "id",
            "created_at",
            "updated_at",
            "product_id",
            "size",
            "colour",
            "price_override",
            "stock",
            "sku",
            "position",
        ],
    )
    write_likes = bulk.writer(
        ProductLike._meta.db_table, ["id", "created_at", "updated_at", "user_id", "product_id"]
    )
    write_images = bulk.writer(
        ProductImage._meta.db_table,
        ["id", "created_at", "updated_at", "product_id", "image", "alt", "colour", "position"],
    )

    weights = [share for _, _, share, _ in categories]
    colours = list(demo_images.COLOURS)
    window = HISTORY_DAYS * 86_400_000

    def batches() -> Iterator[tuple[list, list, list, list]]:
        remaining = products
        # Products are generated oldest first so their back-dated ids increase.
        start_ms = now_ms - window
        step = window / max(products, 1)
        index = 0
        while remaining:
            size = min(BATCH, remaining)
            product_rows, variant_rows, image_rows, like_rows = [], [], [], []
            for _ in range(size):
                created_ms = int(start_ms + index * step + rng.random() * step)
                index += 1
                category_id, slug, _, kinds = rng.choices(categories, weights=weights)[0]
                kind = rng.choice(kinds)
                colour = rng.choice(colours)
                # Most products come in one colour; some in two or three, each colour
                # its own sizes (stock rows) and its own photo.
                extra = rng.choices((0, 1, 2), weights=(70, 20, 10))[0]
                palette = [colour, *rng.sample([c for c in colours if c != colour], extra)]
                noun = rng.choice(NOUNS[kind])
                fit = rng.choice(FITS)
                material = rng.choice(MATERIALS[slug])
                low, high = PRICES[slug]
                price = rng.randrange(low, high, 1000) - rng.choice([0, 100])  # 39,000 or 38,900
                fans_liking = bulk.likers(rng, fans, alpha=1.5, scale=2)
                likes = len(fans_liking)
                product_id = ids.at(created_ms)
                stamp = bulk.timestamp(created_ms)
                if extra:
                    name = f"{fit} {noun}"
                    shades = ", ".join(palette[:-1]) + f" or {palette[-1]}"
                else:
                    name = f"{fit} {colour.capitalize()} {noun}"
                    shades = colour
                description = (
                    f"A {fit.lower()} {noun.lower()} in {shades} {material}. "
                    f"Made for everyday wear; true to size."
                )
                product_rows.append(
                    (
                        product_id,
                        stamp,
                        stamp,
                        rng.choice(store_ids),
                        category_id,
                        name,
                        description,
                        price,
                        demo_images.relative_path(kind, colour),
                        likes,
                        True,
                    )
                )
                like_rows.extend(
                    (ids.at(created_ms), stamp, stamp, fan_id, product_id) for fan_id in fans_liking
                )
                sold_out = rng.random() < 0.04
                sizes = [(shade, size) for shade in palette for size in rules.default_sizes(slug)]
                for position, (shade, size_label) in enumerate(sizes):
                    roll = rng.random()
                    stock = (
                        0
                        if sold_out or roll < 0.08
                        else rng.randint(1, 3)
                        if roll < 0.2
                        else rng.randint(5, 40)
                    )
                    variant_id = ids.at(created_ms)
                    variant_rows.append(
                        (
                            variant_id,
                            stamp,
                            stamp,
                            product_id,
                            size_label,
                            shade if extra else "",
                            None,
                            stock,
                            f"{tsid.encode(product_id)}-{size_label}"
                            + (f"-{shade}" if extra else ""),
                            position,
                        )
                    )
                if extra:
                    for position, shade in enumerate(palette):
                        image_rows.append(
                            (
                                ids.at(created_ms),
                                stamp,
                                stamp,
                                product_id,
                                demo_images.relative_path(kind, shade),
                                f"{name} in {shade}",
                                shade,
                                position,
                            )
                        )
            remaining -= size
            yield product_rows, variant_rows, image_rows, like_rows

    done = 0
    for product_rows, variant_rows, image_rows, like_rows in batches():
        with transaction.atomic():
            write_products(product_rows)
            write_variants(variant_rows)
            write_images(image_rows)
            write_likes(like_rows)
        report.likes += len(like_rows)
        done += len(product_rows)
        report.products += len(product_rows)
        report.variants += len(variant_rows)
        report.images += len(image_rows)
        log(
            f"products: {done:,} / {products:,} ({done * 100 // products}%) in {time.monotonic() - started:.1f} s"
        )

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (Product, Variant, ProductImage, ProductLike):
                cursor.execute(f"ANALYZE {model._meta.db_table}")
    report.seconds = time.monotonic() - started
    return report
