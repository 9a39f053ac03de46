from apps.core.errors import ShopError

from .models import User


class EmailTaken(ShopError):
    message = "An account with this email already exists. Log in instead?"


def user_update_profile(*, user: User, name: str, phone: str, shipping_address: str) -> User:
    user.name = name.strip()
    user.phone = phone.strip()
    user.shipping_address = shipping_address.strip()
    user.save(update_fields=["name", "phone", "shipping_address"])
    return user


def user_remember_address(*, user: User, shipping_address: str) -> None:
    """Make ``shipping_address`` the shopper's default if they have none yet (their first
    checkout). Never overwrites one they set."""
    User.objects.filter(pk=user.pk, shipping_address="").update(shipping_address=shipping_address)
