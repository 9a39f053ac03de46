from collections import Counter

import pytest
from django.core.management import call_command

from apps.accounts.models import Store, User
from apps.products import rules
from apps.products.models import Category, Product, ProductImage, ProductLike, Variant
from apps.swipe.models import Look, Swipe
from apps.swipe.services import looks_refresh_categories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def snapshot():
    return list(Product.objects.order_by("id").values_list("name", "base_price", "likes_count"))


def test_seed_builds_a_shop_and_running_again_adds_nothing(media, capsys):
    call_command("seed_demo", products=40)
    out = capsys.readouterr().out
    assert "products: 40 / 40 (100%)" in out
    assert "demo@baro.local / swipe-right-2026" in out
    assert Product.objects.count() == 40
    assert Category.objects.count() == 6
    assert Store.objects.count() == 8
    # every product comes in every size of its category, in each of its colours, and a
    # product in several colours has a photo of each, tagged with it
    products = Product.objects.select_related("category").prefetch_related("variants", "images")
    for product in products:
        colours = list(dict.fromkeys(variant.colour for variant in product.variants.all()))
        for colour in colours:
            sizes = [v.size for v in product.variants.all() if v.colour == colour]
            assert tuple(sizes) == rules.default_sizes(product.category.slug), product
        photos = [image.colour for image in product.images.all()]
        assert photos == (colours if len(colours) > 1 else []), product
    assert ProductImage.objects.exists()  # some products come in several colours
    product = Product.objects.first()
    assert (media / product.thumbnail.name).is_file()
    assert len(list((media / "demo" / "garments").iterdir())) > 300
    shopper = User.objects.get(email="demo@baro.local")
    assert shopper.check_password("swipe-right-2026")
    assert ProductLike.objects.filter(user=shopper).count() == 4
    assert User.objects.get(email="staff@baro.local").is_superuser

    call_command("seed_demo", products=40)
    assert Product.objects.count() == 40
    assert Store.objects.count() == 8


def test_same_seed_same_shop_and_reset_starts_over():
    call_command("seed_demo", products=25, seed=7)
    first = snapshot()
    call_command("seed_demo", products=25, seed=7, reset=True)
    assert [row[:2] for row in snapshot()] == [row[:2] for row in first]
    call_command("seed_demo", products=10, reset=True)
    assert Product.objects.count() == 10


def test_if_empty_skips_a_shop_that_has_products(capsys):
    call_command("seed_demo", products=5)
    call_command("seed_demo", products=50, if_empty=True)
    assert Product.objects.count() == 5
    assert "nothing to do" in capsys.readouterr().out


def test_seeded_stock_is_never_negative_and_some_sizes_are_low_or_sold_out():
    call_command("seed_demo", products=200)
    stocks = list(Variant.objects.values_list("stock", flat=True))
    assert min(stocks) >= 0
    assert any(s == 0 for s in stocks) and any(0 < s <= 3 for s in stocks)


def test_seeded_counts_match_the_rows_behind_them():
    call_command("seed_demo", products=300, looks=40)
    products = Product.objects.values_list("pk", "likes_count")
    like_rows = Counter(ProductLike.objects.values_list("product_id", flat=True))
    assert {pk: count for pk, count in products if count} == like_rows
    assert sum(like_rows.values()) > 300  # a long tail of likes, not a shop of zeros
    looks = Look.objects.values_list("pk", "likes_count")
    look_likes = Counter(
        Swipe.objects.filter(reaction=Swipe.Reaction.LIKE).values_list("look_id", flat=True)
    )
    assert {pk: count for pk, count in looks if count} == look_likes
    assert look_likes
    masks = dict(Look.objects.values_list("pk", "category_mask"))
    assert all(masks.values())
    looks_refresh_categories(look_ids=list(masks))
    assert dict(Look.objects.values_list("pk", "category_mask")) == masks


def test_every_demo_look_has_a_title_of_its_own():
    call_command("seed_demo", products=300, looks=120)
    titles = list(Look.objects.values_list("title", flat=True))
    assert len(titles) == 120
    duplicates = [title for title, count in Counter(titles).items() if count > 1]
    assert not duplicates
