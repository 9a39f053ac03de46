import pytest

from apps.demo.looks import ensure_cover
from apps.swipe.models import Look, Swipe
from tests.browser.conftest import log_in_with_form, screenshot
from tests.factories import LookFactory, LookProductFactory, ProductFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PIECES = [
    [("coat", "camel"), ("pants", "navy"), ("boots", "brown")],
    [("hoodie", "orange"), ("jeans", "denim"), ("sneaker", "white"), ("cap", "black")],
    [("knit", "pink"), ("skirt", "cream")],
    [("jacket", "olive"), ("shorts", "khaki"), ("sneaker", "black")],
    [("shirt", "white"), ("jeans", "navy"), ("tote", "beige")],
]


@pytest.fixture
def looks(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    made = []
    for index, pieces in enumerate(PIECES):
        cover, _ = ensure_cover(pieces, (236, 234, 230), tmp_path)
        look = LookFactory(title=f"Look {index + 1}", cover=cover, likes_count=50 - index)
        for kind, colour in pieces:
            LookProductFactory(
                look=look, product=ProductFactory(name=f"{colour.title()} {kind.title()}")
            )
        made.append(look)
    return made


def log_in(page, user):
    log_in_with_form(page, user.email)


def top_look(page) -> str:
    return page.locator("#deck .look-card.is-top").get_attribute("data-look")


def wait_for_top(page, look) -> None:
    page.wait_for_selector(f'#deck .look-card.is-top[data-look="{look.pk}"]')
    page.wait_for_function("!document.getElementById('deck').hasAttribute('aria-busy')")


def drag_top_card(page, dx: int) -> None:
    box = page.locator("#deck .look-card.is-top").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 3
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 11):
        page.mouse.move(x + dx * step / 10, y + 4 * step / 10)
    page.mouse.up()


def test_swipe_journey_on_a_phone(phone, looks):
    user = UserFactory()
    log_in(phone, user)
    screenshot(phone, "feed-phone")
    assert top_look(phone) == str(looks[0].pk)
    assert phone.locator("#deck .look-card.is-under").get_attribute("data-look") == str(looks[1].pk)

    # Like with the button.
    phone.get_by_role("button", name="Like (right arrow)").click()
    wait_for_top(phone, looks[1])
    assert phone.locator("#liked-count").inner_text() == "1"

    # Nope with the arrow key.
    phone.keyboard.press("ArrowLeft")
    wait_for_top(phone, looks[2])

    # A short drag snaps back and records nothing.
    drag_top_card(phone, 40)
    phone.wait_for_timeout(400)
    assert top_look(phone) == str(looks[2].pk)
    assert Swipe.objects.filter(user=user).count() == 2
    transform = phone.locator("#deck .look-card.is-top").evaluate("el => el.style.transform")
    assert transform in ("", "none")

    # Dragging past the threshold likes it.
    drag_top_card(phone, 260)
    wait_for_top(phone, looks[3])
    assert Swipe.objects.get(user=user, look_id=looks[2].pk).reaction == "like"
    assert phone.locator("#liked-count").inner_text() == "2"

    # Undo brings the dragged look back.
    phone.keyboard.press("ArrowDown")
    wait_for_top(phone, looks[2])
    assert not Swipe.objects.filter(user=user, look_id=looks[2].pk).exists()
    assert Look.objects.get(pk=looks[2].pk).likes_count == 48
    assert phone.locator("#liked-count").inner_text() == "1"

    reactions = dict(Swipe.objects.filter(user=user).values_list("look_id", "reaction"))
    assert reactions == {looks[0].pk: "like", looks[1].pk: "dislike"}

    # The liked look is on the liked page.
    phone.locator(".liked-link").click()
    phone.wait_for_url("**/looks/liked/")
    assert phone.locator(".look-tile-title").all_inner_texts() == ["Look 1"]
    screenshot(phone, "liked-phone")


class HeldSwipes:
    """Swipe requests wait here, as on a slow phone network, until released; any
    request made after the release goes straight through."""

    def __init__(self, page):
        self.page = page
        self.routes: list = []
        self.released = False
        page.route("**/swipe/*/", self._handle)

    def _handle(self, route) -> None:
        if self.released:
            route.continue_()
        else:
            self.routes.append(route)

    def wait_for_first(self) -> None:
        for _ in range(50):  # up to a second; a key that posts nothing leaves it empty
            if self.routes:
                return
            self.page.wait_for_timeout(20)

    def release(self) -> None:
        self.released = True
        for route in self.routes:
            route.continue_()


def repeat_while_the_first_is_on_its_way(page, press) -> None:
    """Run ``press`` (the shopper repeating themselves) while the first swipe request
    is held on its way to the shop, then let it through and wait for the deck to settle."""
    held = HeldSwipes(page)
    press()
    held.wait_for_first()
    held.release()
    idle = "!document.getElementById('deck').hasAttribute('aria-busy')"
    page.wait_for_function(idle)
    page.wait_for_timeout(300)  # time for a stray second swipe to start, and land
    page.wait_for_function(idle)


def assert_first_card_liked_once(page, user, looks) -> None:
    swiped = list(Swipe.objects.filter(user=user).order_by("id").values_list("look_id", flat=True))
    # The presses were one swipe: the first card liked once, the next card on top.
    assert swiped == [looks[0].pk]
    assert top_look(page) == str(looks[1].pk)
    assert Swipe.objects.get(user=user).reaction == "like"
    assert Look.objects.get(pk=looks[0].pk).likes_count == 51
    assert Look.objects.get(pk=looks[1].pk).likes_count == 49
    assert page.locator("#liked-count").inner_text() == "1"
    # Every recorded swipe is a look the shopper saw on top, in feed order, once each.
    assert swiped == [look.pk for look in looks[: len(swiped)]]
    assert top_look(page) == str(looks[len(swiped)].pk)


def test_fast_repeated_keys_never_skip_or_double_record(phone, looks):
    user = UserFactory()
    log_in(phone, user)
    wait_for_top(phone, looks[0])

    def three_presses():
        for _ in range(3):
            phone.keyboard.press("ArrowRight")

    repeat_while_the_first_is_on_its_way(phone, three_presses)
    assert_first_card_liked_once(phone, user, looks)


def test_a_double_tap_on_like_records_one_swipe(phone, looks):
    user = UserFactory()
    log_in(phone, user)
    wait_for_top(phone, looks[0])
    box = phone.get_by_role("button", name="Like (right arrow)").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2

    def double_tap():  # the same spot twice, whatever is there by the second tap
        phone.touchscreen.tap(x, y)
        phone.touchscreen.tap(x, y)

    repeat_while_the_first_is_on_its_way(phone, double_tap)
    assert_first_card_liked_once(phone, user, looks)


def test_feed_on_desktop_and_the_empty_state(desktop, looks):
    user = UserFactory()
    log_in(desktop, user)
    screenshot(desktop, "feed-desktop")
    for look in looks:
        wait_for_top(desktop, look)
        desktop.keyboard.press("ArrowRight")
    desktop.wait_for_selector(".deck-empty")
    assert "You've seen every look" in desktop.locator(".deck-empty").inner_text()
    screenshot(desktop, "feed-empty-desktop")


def test_clicking_the_title_on_desktop_opens_the_look(desktop, looks):
    desktop.goto("/")
    desktop.locator("#deck .look-card.is-top .look-title a").click()
    desktop.wait_for_url(f"**/looks/{looks[0].pk}/")
    assert desktop.locator("h1").inner_text() == "Look 1"


def test_a_drag_that_starts_on_the_title_swipes_and_never_opens_the_look(desktop, looks):
    user = UserFactory()
    log_in(desktop, user)
    title = desktop.locator("#deck .look-card.is-top .look-title a")

    # A short drag from the title snaps back: no swipe, and the look does not open.
    box = title.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    desktop.mouse.move(x, y)
    desktop.mouse.down()
    for step in range(1, 6):
        desktop.mouse.move(x + 8 * step, y)
    desktop.mouse.up()
    desktop.wait_for_timeout(400)
    assert desktop.url.endswith("/") and "/looks/" not in desktop.url
    assert top_look(desktop) == str(looks[0].pk)

    # A long drag from the title likes the look, and still does not open it.
    desktop.mouse.move(x, y)
    desktop.mouse.down()
    for step in range(1, 11):
        desktop.mouse.move(x + 30 * step, y + step)
    desktop.mouse.up()
    wait_for_top(desktop, looks[1])
    assert "/looks/" not in desktop.url
    reactions = dict(Swipe.objects.filter(user=user).values_list("look_id", "reaction"))
    assert reactions == {looks[0].pk: "like"}

    # Afterwards a plain click on the next title opens that look.
    desktop.locator("#deck .look-card.is-top .look-title a").click()
    desktop.wait_for_url(f"**/looks/{looks[1].pk}/")


MARK_WINDOW = "window.baroMarker = 'no page load'"
MARKER = "window.baroMarker || null"


def test_an_arrow_key_right_after_a_swap_never_posts_a_full_page(phone, looks):
    """The swapped-in deck is live at once: a key pressed as the next card appears
    swipes it through htmx, or is ignored while a swipe is in flight; it never posts
    the form as a page of its own."""
    user = UserFactory()
    log_in(phone, user)
    phone.evaluate(MARK_WINDOW)
    # Real key presses back to back, no waiting for anything: many of them land in the
    # first milliseconds after a swap.
    for _ in range(400):
        phone.keyboard.press("ArrowRight")
        if phone.locator(".deck-empty").count():
            break
    phone.wait_for_selector(".deck-empty")
    assert phone.evaluate(MARKER) == "no page load"
    swiped = list(Swipe.objects.filter(user=user).order_by("id").values_list("look_id", "reaction"))
    assert swiped == [(look.pk, "like") for look in looks]


def test_a_key_dispatched_during_the_swap_itself_is_never_a_full_page_post(phone, looks):
    """The narrowest window: a key press delivered inside htmx's swap, before the new
    deck has settled (when htmx has not yet wired its forms)."""
    user = UserFactory()
    log_in(phone, user)
    phone.evaluate(MARK_WINDOW)
    phone.evaluate(
        """() => document.addEventListener('htmx:afterSwap', function press(event) {
             if (event.target.id !== 'deck') return;
             document.removeEventListener('htmx:afterSwap', press);
             document.dispatchEvent(new KeyboardEvent('keydown', {key: 'ArrowRight', bubbles: true}));
           })"""
    )
    phone.keyboard.press("ArrowRight")
    phone.wait_for_timeout(1000)
    phone.wait_for_function("!document.getElementById('deck').hasAttribute('aria-busy')")
    assert phone.evaluate(MARKER) == "no page load"
    swiped = list(Swipe.objects.filter(user=user).order_by("id").values_list("look_id", "reaction"))
    # Either both presses swiped, in feed order, or the second one was ignored.
    assert swiped in ([(looks[0].pk, "like")], [(looks[0].pk, "like"), (looks[1].pk, "like")])
    assert top_look(phone) == str(looks[len(swiped)].pk)
