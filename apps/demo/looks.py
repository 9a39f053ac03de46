"""Demo looks: outfits of 2-5 products in one style, each with a collage cover of
those products, drawn locally and shared between looks with the same pieces."""

from __future__ import annotations

import hashlib
import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import transaction
from PIL import Image, ImageDraw

from apps.core import tsid
from apps.products.models import Product
from apps.swipe.models import Look, LookImage, LookProduct, Swipe
from apps.swipe.services import looks_refresh_categories

from . import bulk
from . import images as demo_images

STYLES = {
    "Minimal": {
        "colours": ["black", "white", "grey", "charcoal", "navy", "ivory", "stone", "beige"],
        "tops": ["tshirt", "shirt", "knit", "longsleeve", "coat"],
        "bottoms": ["pants", "skirt", "jeans"],
        "shoes": ["sneaker", "boots"],
        "extras": ["tote", "crossbody"],
        "background": (236, 234, 230),
    },
    "Street": {
        "colours": ["black", "orange", "olive", "red", "sky", "mustard", "grey", "denim"],
        "tops": ["hoodie", "tshirt", "jacket", "longsleeve"],
        "bottoms": ["jeans", "pants", "shorts"],
        "shoes": ["sneaker"],
        "extras": ["cap", "crossbody", "beanie"],
        "background": (232, 236, 240),
    },
    "Classic": {
        "colours": ["navy", "camel", "brown", "beige", "burgundy", "cream", "white", "charcoal"],
        "tops": ["shirt", "knit", "coat", "jacket"],
        "bottoms": ["pants", "skirt", "jeans"],
        "shoes": ["boots", "sneaker"],
        "extras": ["tote", "crossbody"],
        "background": (240, 234, 226),
    },
    "Soft": {
        "colours": ["pink", "lavender", "cream", "mint", "sky", "ivory", "white", "beige"],
        "tops": ["knit", "tshirt", "longsleeve", "hoodie"],
        "bottoms": ["skirt", "jeans", "shorts"],
        "shoes": ["sneaker"],
        "extras": ["tote", "beanie", "crossbody"],
        "background": (244, 234, 238),
    },
    "Outdoor": {
        "colours": ["olive", "forest", "khaki", "rust", "brown", "mustard", "stone", "black"],
        "tops": ["jacket", "longsleeve", "hoodie", "shirt"],
        "bottoms": ["pants", "shorts", "jeans"],
        "shoes": ["boots", "sneaker"],
        "extras": ["beanie", "cap", "crossbody"],
        "background": (234, 238, 230),
    },
}
OCCASIONS = [
    "Monday",
    "Weekend",
    "Date Night",
    "Campus",
    "Office",
    "City Walk",
    "Rainy Day",
    "Brunch",
    "Gallery Day",
    "Commute",
    "Road Trip",
    "Late Summer",
    "First Frost",
    "Market Run",
    "Concert",
    "Airport",
]

COVER_SIZE = (600, 750)
SAMPLE = 60_000  # products read to build looks from (the newest; plenty of every piece)


def _kind_colour(thumbnail: str) -> tuple[str, str] | None:
    name = Path(thumbnail).stem  # "hoodie-navy"
    kind, _, colour = name.partition("-")
    if kind in demo_images.GARMENTS and colour in demo_images.COLOURS:
        return kind, colour
    return None


def _layout(count: int) -> list[tuple[int, int, int, int]]:
    w, h, m = COVER_SIZE[0], COVER_SIZE[1], 18
    half_w, half_h = (w - 3 * m) // 2, (h - 3 * m) // 2
    if count == 2:
        return [(m, m + 90, half_w, half_h + 120), (2 * m + half_w, m + 150, half_w, half_h + 120)]
    if count == 3:
        return [
            (m, m, half_w, h - 2 * m),
            (2 * m + half_w, m, half_w, half_h),
            (2 * m + half_w, 2 * m + half_h, half_w, half_h),
        ]
    boxes = [
        (m, m, half_w, half_h),
        (2 * m + half_w, m, half_w, half_h),
        (m, 2 * m + half_h, half_w, half_h),
        (2 * m + half_w, 2 * m + half_h, half_w, half_h),
    ]
    if count == 5:
        small = half_w // 2
        boxes.append((w // 2 - small // 2, h // 2 - int(small * 0.625), small, int(small * 1.25)))
    return boxes


def cover_path(pieces: list[tuple[str, str]], background) -> str:
    digest = hashlib.sha1(repr((pieces, background)).encode(), usedforsecurity=False).hexdigest()
    return f"demo/looks/{digest[:16]}.jpg"


def _garment(kind: str, colour: str, media_root: Path | None) -> Image.Image:
    drawn = media_root / demo_images.relative_path(kind, colour) if media_root else None
    if drawn and drawn.exists():
        with Image.open(drawn) as image:  # reading the product's file beats redrawing it
            return image.convert("RGB")
    return demo_images.draw_garment(kind, colour)


def draw_cover(
    pieces: list[tuple[str, str]], background, media_root: Path | None = None
) -> Image.Image:
    """A flat-lay collage: each product's illustration on a card, on the style's colour."""
    canvas = Image.new("RGB", COVER_SIZE, background)
    mask_cache: dict[tuple[int, int], Image.Image] = {}
    for (kind, colour), (x, y, w, h) in zip(pieces, _layout(len(pieces)), strict=False):
        piece = _garment(kind, colour, media_root)
        scale = min(w / piece.width, h / piece.height)
        size = (int(piece.width * scale), int(piece.height * scale))
        piece = piece.resize(size, Image.Resampling.BILINEAR)
        if size not in mask_cache:
            mask = Image.new("L", size, 0)
            ImageDraw.Draw(mask).rounded_rectangle(
                (0, 0, size[0] - 1, size[1] - 1), radius=22, fill=255
            )
            mask_cache[size] = mask
        canvas.paste(piece, (x + (w - size[0]) // 2, y + (h - size[1]) // 2), mask_cache[size])
    return canvas


def ensure_cover(pieces: list[tuple[str, str]], background, media_root: Path) -> tuple[str, bool]:
    relative = cover_path(pieces, background)
    path = media_root / relative
    if path.exists():
        return relative, False
    path.parent.mkdir(parents=True, exist_ok=True)
    draw_cover(pieces, background, media_root).save(path, "JPEG", quality=82)
    return relative, True


def look_title(rng: random.Random, style_name: str, used: Counter) -> tuple[str, str]:
    """A title no other demo look has, and its occasion: "Street Campus". A style's
    occasions are each used once before any comes back, numbered ("Street Campus No. 2")."""
    fewest = min(used[style_name, occasion] for occasion in OCCASIONS)
    occasion = rng.choice([o for o in OCCASIONS if used[style_name, o] == fewest])
    used[style_name, occasion] += 1
    number = used[style_name, occasion]
    title = f"{style_name} {occasion}" + (f" No. {number}" if number > 1 else "")
    return title, occasion


def seed_looks(*, count: int, seed: int = 2026, log: Callable[[str], None] = print) -> int:
    """Create ``count`` looks from the catalogue's products. Returns how many were made."""
    started = time.monotonic()
    rng = random.Random(seed + 1)
    rows = (
        Product.objects.filter(is_active=True)
        .order_by("-id")
        .values_list("id", "thumbnail", "store_id")[:SAMPLE]
    )
    by_piece: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
    for product_id, thumbnail, store_id in rows:
        piece = _kind_colour(thumbnail)
        if piece:
            by_piece[piece].append((product_id, store_id))
    if not by_piece:
        log("looks: no demo products to build looks from")
        return 0

    now_ms = int(time.time() * 1000)
    window = 60 * 86_400_000
    ids = tsid.Backdated()
    fans = bulk.fan_ids(min(1000, max(50, count // 5)))
    looks: list[Look] = []
    entries: list[LookProduct] = []
    like_rows: list[tuple] = []
    drawn = 0
    style_names = list(STYLES)
    titles_used: Counter = Counter()
    attempts = 0
    while len(looks) < count and attempts < count * 20:
        attempts += 1
        style_name = rng.choice(style_names)
        style = STYLES[style_name]
        slots = ["tops", "bottoms", "shoes"]
        slots += rng.sample(["extras", "extras", "tops"], rng.randint(0, 2))
        if rng.random() < 0.15:
            slots = rng.sample(slots, 2)  # a few looks are just two key pieces
        chosen: list[tuple[str, str]] = []
        products: list[tuple[int, int]] = []
        for slot in slots:
            options = [
                (kind, colour)
                for kind in style[slot]
                for colour in style["colours"]
                if by_piece.get((kind, colour)) and (kind, colour) not in chosen
            ]
            if not options:
                continue
            piece = rng.choice(options)
            candidates = [p for p in by_piece[piece] if p[0] not in {q[0] for q in products}]
            if candidates:
                chosen.append(piece)
                products.append(rng.choice(candidates))
        if len(products) < 2:
            continue
        cover, made = ensure_cover(chosen, style["background"], Path(settings.MEDIA_ROOT))
        drawn += made
        created_ms = now_ms - window + (len(looks) * window) // max(count, 1) + rng.randrange(1000)
        look_id = ids.at(created_ms)
        fans_liking = bulk.likers(rng, fans, alpha=1.2, scale=3)
        stamp = bulk.timestamp(created_ms)
        like_rows.extend(
            (ids.at(created_ms), stamp, stamp, fan_id, look_id, Swipe.Reaction.LIKE.value)
            for fan_id in fans_liking
        )
        title, occasion = look_title(rng, style_name, titles_used)
        looks.append(
            Look(
                id=look_id,
                store_id=products[0][1],
                title=title,
                description=f"A {style_name.lower()} outfit for {occasion.lower()}.",
                cover=cover,
                likes_count=len(fans_liking),
            )
        )
        for position, (product_id, _) in enumerate(products):
            entries.append(
                LookProduct(
                    id=ids.at(created_ms),
                    look_id=look_id,
                    product_id=product_id,
                    position=position,
                )
            )
        if len(looks) % 1000 == 0:
            log(f"looks: {len(looks):,} / {count:,} planned ({drawn} covers drawn)")
    write_likes = bulk.writer(
        Swipe._meta.db_table, ["id", "created_at", "updated_at", "user_id", "look_id", "reaction"]
    )
    with transaction.atomic():
        Look.objects.bulk_create(looks, batch_size=2000)
        LookProduct.objects.bulk_create(entries, batch_size=5000)
        for start in range(0, len(like_rows), 20_000):
            write_likes(like_rows[start : start + 20_000])
        looks_refresh_categories(look_ids=[look.pk for look in looks])
    log(
        f"looks: {len(looks):,} created with {len(entries):,} products, {drawn} covers drawn, "
        f"in {time.monotonic() - started:.1f} s"
    )
    return len(looks)


def reset_looks() -> None:
    for model in (Swipe, LookProduct, LookImage, Look):
        model.objects.all().delete()
