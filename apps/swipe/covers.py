"""Look covers composed from the look's products.

A look's card shows its cover, so a cover that was composed from the products must
be composed again when the products change, or the card shows four garments for a
look of seven pieces. A cover that staff uploaded (``Look.cover_is_custom``) is
theirs and is never replaced, except when they ask for it.

The collage is one tile per product, in the look's order, on a grid that grows with
the number of pieces (1, 2 side by side, 2x2, 3x2, 3x3); a look of more than nine
pieces shows eight and a "+N" tile. Each product's thumbnail is fitted whole into its
tile; a product without a readable picture gets a plain tile, so the count still holds.
"""

from __future__ import annotations

import hashlib
import io
import math

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from PIL import Image, ImageDraw, ImageFont, ImageOps

from .models import Look, LookProduct

COVER_SIZE = (600, 750)  # the card's 4:5 frame
BACKGROUND = (244, 242, 238)
EMPTY_TILE = (222, 219, 212)  # a product without a picture
MORE_TILE = (40, 40, 44)  # the "+N" tile
GAP = 16
MAX_TILES = 9
COVER_DIR = "looks/covers"
LAYOUT_VERSION = 1  # part of the file name: a new design never reuses an old file


def cover_grid(count: int) -> tuple[int, int]:
    """Columns and rows for ``count`` tiles."""
    count = max(1, min(count, MAX_TILES))
    columns = math.ceil(math.sqrt(count))
    return columns, math.ceil(count / columns)


def cover_tiles(count: int) -> list[tuple[int, int, int, int]]:
    """The boxes (left, top, right, bottom) of ``count`` tiles, row by row; a short
    last row is centred."""
    count = min(count, MAX_TILES)
    if count <= 0:
        return []
    columns, rows = cover_grid(count)
    width, height = COVER_SIZE
    tile_w = (width - GAP * (columns + 1)) // columns
    tile_h = (height - GAP * (rows + 1)) // rows
    boxes = []
    for index in range(count):
        row, column = divmod(index, columns)
        in_row = min(columns, count - row * columns)
        offset = (width - (in_row * tile_w + (in_row + 1) * GAP)) // 2
        left = offset + GAP + column * (tile_w + GAP)
        top = GAP + row * (tile_h + GAP) + (height - (rows * tile_h + (rows + 1) * GAP)) // 2
        boxes.append((left, top, left + tile_w, top + tile_h))
    return boxes


def _rounded(size: tuple[int, int], radius: int = 14) -> Image.Image:
    mask = Image.new("L", size, 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, size[0] - 1, size[1] - 1), radius, fill=255)
    return mask


def _more_tile(size: tuple[int, int], more: int) -> Image.Image:
    tile = Image.new("RGB", size, MORE_TILE)
    draw = ImageDraw.Draw(tile)
    font = ImageFont.load_default(size=max(18, size[1] // 5))
    draw.text((size[0] / 2, size[1] / 2), f"+{more}", fill=(255, 255, 255), font=font, anchor="mm")
    return tile


def compose_cover(pictures: list[Image.Image | None]) -> Image.Image:
    """The collage of ``pictures`` (None for a product without one)."""
    canvas = Image.new("RGB", COVER_SIZE, BACKGROUND)
    shown = pictures
    more = 0
    if len(pictures) > MAX_TILES:
        shown, more = pictures[: MAX_TILES - 1], len(pictures) - (MAX_TILES - 1)
    boxes = cover_tiles(len(shown) + (1 if more else 0))
    for picture, (left, top, right, bottom) in zip(shown, boxes, strict=False):
        box_w, box_h = right - left, bottom - top
        if picture is None:
            tile = Image.new("RGB", (min(box_w, box_h * 4 // 5), box_h), EMPTY_TILE)
        else:
            tile = ImageOps.contain(picture.convert("RGB"), (box_w, box_h))
        x = left + (box_w - tile.width) // 2
        y = top + (box_h - tile.height) // 2
        canvas.paste(tile, (x, y), _rounded(tile.size))
    if more:
        left, top, right, bottom = boxes[-1]
        tile = _more_tile((right - left, bottom - top), more)
        canvas.paste(tile, (left, top), _rounded(tile.size))
    return canvas


def _open_picture(name: str) -> Image.Image | None:
    if not name:
        return None
    try:
        with default_storage.open(name) as file, Image.open(file) as picture:
            picture.load()
            return picture.copy()
    except (OSError, ValueError):  # missing or not an image: the tile stays plain
        return None


def cover_name(look_id: int, thumbnails: list[str]) -> str:
    """Where the cover composed from these thumbnails is written: one file per look
    and set of pieces, so a look whose pieces did not change keeps its file."""
    key = repr((LAYOUT_VERSION, thumbnails)).encode()
    digest = hashlib.sha1(key, usedforsecurity=False).hexdigest()[:12]
    return f"{COVER_DIR}/{look_id}-{digest}.jpg"


def look_compose_cover(*, look_id: int, replace_custom: bool = False) -> bool:
    """Compose ``look_id``'s cover from its products' thumbnails and save it.

    Does nothing to a cover staff uploaded unless ``replace_custom`` (then the cover
    is composed from now on), nor when the composed cover already shows these
    products. Returns whether the cover changed. The previous composed file of this
    look is deleted once the change is committed.
    """
    look = Look.objects.get(pk=look_id)
    if look.cover_is_custom and not replace_custom:
        return False
    thumbnails = list(
        LookProduct.objects.filter(look_id=look_id)
        .order_by("position", "id")
        .values_list("product__thumbnail", flat=True)
    )
    name = cover_name(look.pk, thumbnails)
    previous = look.cover.name or ""
    if not look.cover_is_custom and previous == name and default_storage.exists(name):
        return False
    image = compose_cover([_open_picture(thumbnail) for thumbnail in thumbnails])
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    look.cover = default_storage.save(name, ContentFile(buffer.getvalue()))
    look.cover_is_custom = False
    look.save(update_fields=["cover", "cover_is_custom", "updated_at"])
    if previous.startswith(f"{COVER_DIR}/{look.pk}-") and previous != look.cover.name:
        transaction.on_commit(lambda: default_storage.delete(previous))
    return True
