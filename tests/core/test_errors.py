import pytest

from apps.accounts.services import EmailTaken
from apps.core.errors import Busy, ShopError
from apps.orders.services import OrderError
from apps.products.services import OutOfStock, ProductUnavailable, StockCorrectionRefused
from apps.swipe.services import LookUnavailable


@pytest.mark.parametrize(
    "error",
    [EmailTaken, ProductUnavailable, LookUnavailable, OrderError, Busy, StockCorrectionRefused],
)
def test_every_domain_error_is_a_shop_error_that_prints_its_message(error):
    assert issubclass(error, ShopError)
    assert str(error()) == error.message
    assert str(error("Said differently.")) == "Said differently."


def test_out_of_stock_names_the_size_and_what_is_left(db):
    from tests.factories import VariantFactory

    variant = VariantFactory(stock=2, size="L", product__name="Boxy Tee")
    assert str(OutOfStock(variant=variant, requested=3, available=2)) == (
        "Only 2 left of Boxy Tee (L); you asked for 3."
    )
    assert issubclass(OutOfStock, ShopError)
