"""The shop's domain errors: each carries the message a person is shown."""


class ShopError(Exception):
    """Something the shop will not do, with the reason in words a shopper (or, for
    staff-only errors, a member of staff) understands. Views turn it into a form
    error, a toast or a 4xx answer; never a 500."""

    message = "That could not be done."

    def __init__(self, message: str | None = None) -> None:
        if message:
            self.message = message
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


class Busy(ShopError):
    """The database kept aborting the work (deadlock, serialization failure)."""

    message = "The shop is very busy right now. Please try again in a moment."
