"""Every page a shopper uses passes axe-core (WCAG 2.0/2.1 A and AA, and axe's best
practices) on a phone and on a desktop.

axe-core comes from the npm registry (tests/browser/package.json, installed by
`make install-dev`) and is injected from node_modules, never from a CDN.
"""

import pytest
from PIL import Image

from apps.demo.images import draw_garment, relative_path
from apps.demo.looks import ensure_cover
from apps.orders.models import CartItem, Order, OrderItem
from apps.products.models import ProductImage
from apps.swipe.models import LookImage
from tests.browser.conftest import DESKTOP, PHONE, inject_axe, log_in_as, screenshot
from tests.factories import (
    CategoryFactory,
    LookFactory,
    LookProductFactory,
    ProductFactory,
    UserFactory,
    VariantFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
    },
    # WCAG 2.5.3 (label in name) is still "experimental" in axe, so off unless asked for.
    "rules": {"label-content-name-mismatch": {"enabled": True}},
    "resultTypes": ["violations"],
}

RUN_AXE = """async (options) => {
  const results = await axe.run(document, options);
  return results.violations.map((violation) => ({
    id: violation.id,
    impact: violation.impact,
    help: violation.help,
    nodes: violation.nodes.map((node) => ({
      target: node.target.join(" "),
      summary: node.failureSummary.replace(/\\s+/g, " ").trim(),
    })),
  }));
}"""

PAGES = [
    "feed-visitor",
    "feed",
    "look",
    "product",
    "shop",
    "search",
    "cart",
    "checkout",
    "orders",
    "order",
    "login",
    "signup",
]
VISITOR_PAGES = {"feed-visitor", "login", "signup"}
VIEWPORTS = {"phone": PHONE, "desktop": DESKTOP}


@pytest.fixture(scope="session")
def shop_media(tmp_path_factory):
    """The few garment pictures and the look cover these pages show, drawn once."""
    root = tmp_path_factory.mktemp("a11y-media")
    for kind, colour in [("coat", "camel"), ("sneaker", "white"), ("jeans", "denim")]:
        path = root / relative_path(kind, colour)
        path.parent.mkdir(parents=True, exist_ok=True)
        image: Image.Image = draw_garment(kind, colour)
        image.save(path, "JPEG", quality=80)
    cover, _ = ensure_cover(
        [("coat", "camel"), ("jeans", "denim"), ("sneaker", "white")], (236, 234, 230), root
    )
    return root, cover


@pytest.fixture
def shop(settings, shop_media):
    media_root, cover = shop_media
    settings.MEDIA_ROOT = media_root
    shoes = CategoryFactory(name="Shoes", slug="shoes", position=0)
    CategoryFactory(name="Outerwear", slug="outerwear", position=1)
    coat = ProductFactory(
        name="Camel Wool Coat",
        base_price=189_000,
        likes_count=120,
        thumbnail=relative_path("coat", "camel"),
    )
    sneaker = ProductFactory(
        name="Court Sneaker",
        category=shoes,
        base_price=89_000,
        likes_count=80,
        thumbnail=relative_path("sneaker", "white"),
    )
    jeans = ProductFactory(
        name="Straight Jeans", base_price=59_000, thumbnail=relative_path("jeans", "denim")
    )
    VariantFactory(product=coat, size="S", stock=0)
    coat_medium = VariantFactory(product=coat, size="M", stock=2)
    sneaker_250 = VariantFactory(product=sneaker, size="250", stock=8)
    VariantFactory(product=jeans, size="M", stock=5)
    # More photos than fit across a phone: the galleries scroll sideways.
    for position, (kind, colour) in enumerate([("jeans", "denim"), ("sneaker", "white")]):
        ProductImage.objects.create(
            product=coat, image=relative_path(kind, colour), alt="", position=position
        )
    looks = []
    for index in range(2):
        look = LookFactory(title=f"Weekend Layers {index + 1}", cover=cover, likes_count=40)
        for product in (coat, jeans, sneaker):
            LookProductFactory(look=look, product=product)
        for position, product in enumerate((coat, sneaker)):
            LookImage.objects.create(look=look, image=product.thumbnail.name, position=position)
        looks.append(look)

    user = UserFactory(name="Mina Park", shipping_address="12 Yeonmu-ro, Suwon")
    CartItem.objects.create(user=user, variant=coat_medium, quantity=1)
    CartItem.objects.create(user=user, variant=sneaker_250, quantity=2)
    order = Order.objects.create(
        user=user, total=178_000, shipping_address=user.shipping_address, idempotency_key="a11y"
    )
    OrderItem.objects.create(
        order=order,
        product_id=sneaker.pk,
        variant_id=sneaker_250.pk,
        product_name=sneaker.name,
        size_label="250",
        thumbnail=sneaker.thumbnail.name,
        unit_price=89_000,
        quantity=2,
    )
    return {
        "user": user,
        "paths": {
            "feed-visitor": "/",
            "feed": "/",
            "look": looks[0].get_absolute_url(),
            "product": coat.get_absolute_url(),
            "shop": "/products/",
            "search": "/products/?q=coat",
            "cart": "/cart/",
            "checkout": "/orders/checkout/",
            "orders": "/orders/",
            "order": order.get_absolute_url(),
            "login": "/accounts/login/",
            "signup": "/accounts/signup/",
        },
    }


def describe(violations) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            lines.append(f"    {node['target']}\n        {node['summary']}")
    return "\n".join(lines)


@pytest.mark.axe
@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("page_name", PAGES)
def test_page_has_no_accessibility_violations(browser, live_server, shop, page_name, viewport):
    context = browser.new_context(
        bypass_csp=True,
        viewport=VIEWPORTS[viewport],
        base_url=live_server.url,
        has_touch=viewport == "phone",
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        if page_name not in VISITOR_PAGES:
            log_in_as(page, shop["user"], live_server.url)
        response = page.goto(shop["paths"][page_name])
        assert response.ok, f"{page_name}: {response.status}"
        inject_axe(page)
        violations = page.evaluate(RUN_AXE, AXE_OPTIONS)
        if violations:
            screenshot(page, f"a11y-{page_name}-{viewport}")
    finally:
        context.close()

    if violations:
        pytest.fail(
            f"axe found accessibility violations on the {page_name} page ({viewport}):\n"
            + describe(violations),
            pytrace=False,
        )


def test_tab_order_skips_the_card_underneath(desktop, shop):
    """The card under the top one is hidden from assistive technology, so nothing in it
    may take keyboard focus either."""
    desktop.goto("/")
    assert desktop.locator("#deck .look-card.is-under").count() == 1
    focused = []
    for _ in range(30):
        desktop.keyboard.press("Tab")
        focused.append(
            desktop.evaluate(
                """() => {
                  const el = document.activeElement;
                  const card = el.closest(".look-card");
                  return `${el.tagName.toLowerCase()}.${el.className} in ${card ? card.className : "page"}`;
                }"""
            )
        )
    under = [stop for stop in focused if stop.endswith("is-under")]
    assert not under, f"focus landed in the card underneath: {under}"
    assert any(stop.startswith("button.act act-like") for stop in focused)
