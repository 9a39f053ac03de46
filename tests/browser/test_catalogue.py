import pytest

from apps.demo.images import ensure_garment_images
from apps.products.models import ProductLike
from tests.browser.conftest import log_in_with_form, screenshot
from tests.factories import (
    CategoryFactory,
    ProductFactory,
    UserFactory,
    VariantFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shop(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    ensure_garment_images(tmp_path)
    tops = CategoryFactory(name="Tops", slug="tops", position=0)
    shoes = CategoryFactory(name="Shoes", slug="shoes", position=1)
    for i in range(30):
        product = ProductFactory(
            name=f"Court Sneaker {i:02d}",
            category=shoes,
            likes_count=100 - i,
            thumbnail=f"demo/garments/sneaker-{['black', 'white', 'red'][i % 3]}.jpg",
        )
        VariantFactory(product=product, size="250", stock=0 if i == 1 else 5)
        VariantFactory(product=product, size="260", stock=0 if i == 1 else 2)
    ProductFactory(name="Navy Tee", category=tops, likes_count=500)
    return shoes


def test_browse_a_category_scroll_for_more_open_a_product_and_like_it(phone, shop):
    user = UserFactory(email="mina@example.com")
    log_in_with_form(phone, "mina@example.com", "/products/")

    phone.get_by_role("link", name="Shoes", exact=True).click()
    phone.wait_for_url("**/products/?sort=popular&category=shoes")
    cards = phone.locator(".product-card")
    assert cards.count() == 24
    assert "Navy Tee" not in phone.content()
    screenshot(phone, "catalogue-phone")

    # Infinite scroll: bringing the "More" link into view loads the next page in place.
    phone.locator("a.more").scroll_into_view_if_needed()
    phone.wait_for_function("document.querySelectorAll('.product-card').length === 30")
    assert phone.locator("a.more").count() == 0
    names = phone.locator(".card-name").all_inner_texts()
    assert names == [f"Court Sneaker {i:02d}" for i in range(30)]
    assert phone.locator(".sold-out-badge").count() == 1

    phone.get_by_text("Court Sneaker 00").click()
    phone.wait_for_url("**/products/*/")
    like = phone.locator(".like-btn")
    assert like.get_attribute("aria-pressed") == "false"
    assert phone.locator(".like-count").inner_text() == "100"
    like.click()
    phone.wait_for_selector(".like-btn.is-liked")
    assert phone.locator(".like-count").inner_text() == "101"
    assert phone.url.endswith("/")  # updated in place, no page load
    assert ProductLike.objects.filter(user=user).count() == 1
    assert "Only 2 left" in phone.content()
    screenshot(phone, "product-phone")
