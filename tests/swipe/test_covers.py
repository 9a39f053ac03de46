"""A look's cover follows its products unless staff uploaded their own."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from apps.accounts.models import User
from apps.swipe import covers
from apps.swipe.models import Look, LookProduct
from tests.factories import LookFactory, LookProductFactory, ProductFactory, UserFactory

pytestmark = pytest.mark.django_db

COLOURS = [
    (210, 40, 40),
    (40, 160, 60),
    (40, 80, 210),
    (230, 190, 20),
    (140, 50, 190),
    (20, 170, 190),
    (235, 110, 20),
    (110, 70, 40),
    (30, 30, 30),
    (200, 60, 140),
    (90, 120, 30),
]


def solid(colour, size=(480, 600)) -> Image.Image:
    return Image.new("RGB", size, colour)


def jpeg(colour) -> bytes:
    buffer = io.BytesIO()
    solid(colour).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def count_tiles(image: Image.Image) -> int:
    """Count the separate pictures on a cover: regions that are not the background,
    found by flood fill on a quarter-size copy (the gaps between tiles are 4 px there)."""
    small = image.convert("RGB").resize((150, 188), Image.Resampling.NEAREST)
    pixels, (width, height) = small.load(), small.size

    def filled(x, y):
        return sum(abs(a - b) for a, b in zip(pixels[x, y], covers.BACKGROUND, strict=True)) > 60

    seen, tiles = set(), 0
    for start in ((x, y) for y in range(height) for x in range(width)):
        if start in seen or not filled(*start):
            continue
        region, stack = 0, [start]
        seen.add(start)
        while stack:
            x, y = stack.pop()
            region += 1
            for near in ((x + 1, y), (x - 1, y), (x, y + 1), (x, y - 1)):
                inside = 0 <= near[0] < width and 0 <= near[1] < height
                if inside and near not in seen and filled(*near):
                    seen.add(near)
                    stack.append(near)
        tiles += region > 30  # a stray compression speck is not a tile
    return tiles


def close(colour, expected, tolerance=40) -> bool:
    return sum(abs(a - b) for a, b in zip(colour, expected, strict=True)) <= tolerance


def cover_of(look) -> Image.Image:
    look.refresh_from_db()
    with default_storage.open(look.cover.name) as file, Image.open(file) as image:
        return image.convert("RGB")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def products():
    made = []
    for index, colour in enumerate(COLOURS):
        name = default_storage.save(f"products/test/{index}.jpg", ContentFile(jpeg(colour)))
        made.append(ProductFactory(name=f"Piece {index}", thumbnail=name))
    return made


@pytest.fixture
def staff(client):
    client.force_login(UserFactory(role=User.Role.ADMIN, is_staff=True, is_superuser=True))
    return client


# --- The collage ---------------------------------------------------------------------------


@pytest.mark.parametrize("count", range(1, 10))
def test_the_collage_shows_each_product_once_in_order(count):
    image = covers.compose_cover([solid(colour) for colour in COLOURS[:count]])
    assert image.size == covers.COVER_SIZE
    assert count_tiles(image) == count
    for colour, (left, top, right, bottom) in zip(
        COLOURS[:count], covers.cover_tiles(count), strict=True
    ):
        assert close(image.getpixel(((left + right) // 2, (top + bottom) // 2)), colour)


def test_more_than_nine_products_show_eight_and_a_count_of_the_rest():
    image = covers.compose_cover([solid(colour) for colour in COLOURS])  # 11
    assert count_tiles(image) == 9
    last = covers.cover_tiles(9)[-1]
    assert close(image.getpixel((last[0] + 4, last[1] + 20)), covers.MORE_TILE)


def test_a_product_without_a_picture_still_gets_its_tile():
    image = covers.compose_cover([solid(COLOURS[0]), None, solid(COLOURS[2])])
    assert count_tiles(image) == 3


# --- The service ---------------------------------------------------------------------------


def test_a_composed_cover_follows_the_products_and_a_custom_one_stays(
    products, django_capture_on_commit_callbacks
):
    look = LookFactory(cover="")
    for position, product in enumerate(products[:4]):
        LookProductFactory(look=look, product=product, position=position)
    assert covers.look_compose_cover(look_id=look.pk)
    first = cover_of(look)
    first_name = look.cover.name
    assert count_tiles(first) == 4
    assert not covers.look_compose_cover(look_id=look.pk)  # same pieces: nothing to do

    for position, product in enumerate(products[4:7], start=4):
        LookProductFactory(look=look, product=product, position=position)
    with django_capture_on_commit_callbacks(execute=True):
        assert covers.look_compose_cover(look_id=look.pk)
    assert count_tiles(cover_of(look)) == 7
    assert look.cover.name != first_name
    assert not default_storage.exists(first_name)  # the old composed file is gone

    Look.objects.filter(pk=look.pk).update(cover="looks/2026/11/mine.jpg", cover_is_custom=True)
    LookProduct.objects.filter(look=look, position__gte=2).delete()
    assert not covers.look_compose_cover(look_id=look.pk)
    look.refresh_from_db()
    assert look.cover.name == "looks/2026/11/mine.jpg"
    assert covers.look_compose_cover(look_id=look.pk, replace_custom=True)
    assert count_tiles(cover_of(look)) == 2
    assert not look.cover_is_custom


# --- The look admin ------------------------------------------------------------------------


def look_form(look, *, keep=(), add=(), delete=(), **fields) -> dict:
    """The look change form as the admin submits it: ``keep`` and ``delete`` are the
    look's saved entries, ``add`` new products."""
    saved = [*keep, *delete]
    data = {
        "title": look.title,
        "description": look.description,
        "store": "",
        "creator": "",
        "is_active": "on",
        "look_products-TOTAL_FORMS": str(len(saved) + len(add)),
        "look_products-INITIAL_FORMS": str(len(saved)),
        "images-TOTAL_FORMS": "0",
        "images-INITIAL_FORMS": "0",
    }
    for index, entry in enumerate(saved):
        data |= {
            f"look_products-{index}-id": str(entry.pk),
            f"look_products-{index}-look": str(look.pk),
            f"look_products-{index}-product": str(entry.product_id),
            f"look_products-{index}-position": str(entry.position),
        }
        if entry in delete:
            data[f"look_products-{index}-DELETE"] = "on"
    for index, product in enumerate(add, start=len(saved)):
        data |= {
            f"look_products-{index}-product": str(product.pk),
            f"look_products-{index}-position": str(index),
        }
    return data | fields


def post(client, look, data):
    response = client.post(f"/admin/swipe/look/{look.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]


def test_adding_and_removing_products_in_the_admin_recomposes_the_cover(
    staff, products, django_capture_on_commit_callbacks
):
    response = staff.post(
        "/admin/swipe/look/add/",
        {
            "title": "Street Campus",
            "description": "",
            "store": "",
            "creator": "",
            "is_active": "on",
            "look_products-TOTAL_FORMS": "3",
            "look_products-INITIAL_FORMS": "0",
            **{f"look_products-{i}-product": str(products[i].pk) for i in range(3)},
            **{f"look_products-{i}-position": str(i) for i in range(3)},
            "images-TOTAL_FORMS": "0",
            "images-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    look = Look.objects.get(title="Street Campus")
    assert count_tiles(cover_of(look)) == 3

    entries = list(look.look_products.order_by("position"))
    with django_capture_on_commit_callbacks(execute=True):
        post(staff, look, look_form(look, keep=entries, add=products[3:7]))
    look.refresh_from_db()
    seven = look.cover.name
    image = cover_of(look)
    assert count_tiles(image) == 7
    for colour, (left, top, right, bottom) in zip(COLOURS[:7], covers.cover_tiles(7), strict=True):
        assert close(image.getpixel(((left + right) // 2, (top + bottom) // 2)), colour)

    entries = list(look.look_products.order_by("position"))
    with django_capture_on_commit_callbacks(execute=True):
        post(staff, look, look_form(look, keep=entries[:2], delete=entries[2:]))
    look.refresh_from_db()
    assert look.cover.name != seven and not default_storage.exists(seven)
    assert count_tiles(cover_of(look)) == 2

    # Saving without touching the products leaves the file alone.
    post(staff, look, look_form(look, keep=entries[:2], title="Street Campus II"))
    look.refresh_from_db()
    assert look.title == "Street Campus II" and count_tiles(cover_of(look)) == 2


def test_an_uploaded_cover_is_kept_when_products_change_until_staff_untick_it(staff, products):
    look = LookFactory(cover="")
    entry = LookProductFactory(look=look, product=products[0])
    upload = SimpleUploadedFile("mine.jpg", jpeg((250, 250, 250)), content_type="image/jpeg")
    post(staff, look, look_form(look, keep=[entry], add=products[1:3], cover=upload))
    look.refresh_from_db()
    assert look.cover_is_custom
    mine = look.cover.name
    assert mine.startswith("looks/") and not mine.startswith(covers.COVER_DIR)
    with default_storage.open(mine) as file:
        uploaded_bytes = file.read()

    entries = list(look.look_products.order_by("position"))
    post(staff, look, look_form(look, keep=entries[:1], delete=entries[1:], cover_is_custom="on"))
    look.refresh_from_db()
    assert look.cover.name == mine and look.cover_is_custom
    with default_storage.open(mine) as file:
        assert file.read() == uploaded_bytes  # untouched

    post(staff, look, look_form(look, keep=entries[:1]))  # the box unticked
    look.refresh_from_db()
    assert not look.cover_is_custom and look.cover.name.startswith(covers.COVER_DIR)
    assert count_tiles(cover_of(look)) == 1


def test_the_compose_action_replaces_uploaded_covers(staff, products):
    look = LookFactory(cover="looks/2026/11/mine.jpg", cover_is_custom=True)
    for position, product in enumerate(products[:5]):
        LookProductFactory(look=look, product=product, position=position)
    response = staff.post(
        "/admin/swipe/look/",
        {"action": "compose_covers", "_selected_action": [str(look.pk)]},
        follow=True,
    )
    assert "1 cover(s) composed." in response.content.decode()
    look.refresh_from_db()
    assert not look.cover_is_custom
    assert count_tiles(cover_of(look)) == 5
