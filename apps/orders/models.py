from django.db import models
from django.db.models import Q

from apps.core.fields import TSIDField
from apps.core.models import BaseModel
from apps.products.rules import MAX_LINE_QUANTITY

MAX_CART_LINES = 20  # different sizes in one cart


class CartItem(BaseModel):
    """A line in a shopper's cart. The variant is referenced without a database FK:
    variant rows are the stock rows that checkouts lock."""

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="cart_items")
    variant = models.ForeignKey(
        "products.Variant", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    quantity = models.PositiveSmallIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint("user", "variant", name="cart_item_user_variant_uniq"),
            models.CheckConstraint(
                condition=Q(quantity__gte=1, quantity__lte=MAX_LINE_QUANTITY),
                name="cart_item_quantity_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.variant_id}"


class Order(BaseModel):
    class Status(models.TextChoices):
        ORDERED = "ordered", "Ordered"
        SHIPPED = "shipped", "Shipped"
        DELIVERED = "delivered", "Delivered"
        CANCELLED = "cancelled", "Cancelled"

    user = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="orders")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ORDERED)
    total = models.PositiveBigIntegerField(default=0, help_text="Won.")
    shipping_address = models.TextField(max_length=500)
    idempotency_key = models.CharField(max_length=64)
    shipped_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # Set by the confirmation job once the mail is out, so a job run twice mails once.
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint("user", "idempotency_key", name="order_user_idempotency_uniq"),
        ]
        indexes = [models.Index(fields=["user", "-id"], name="order_user_recent_idx")]

    def __str__(self) -> str:
        return f"Order {self.pk}"

    def get_absolute_url(self) -> str:
        return f"/orders/{self.pk}/"

    @property
    def cancellable(self) -> bool:
        return self.status == self.Status.ORDERED


class OrderItem(BaseModel):
    """What was bought, as it was when it was bought. Product and variant are plain
    id columns, never foreign keys: an FK check would share-lock the very variant rows
    concurrent checkouts are updating (the deadlock this shop was built to avoid), and
    the snapshot keeps the order readable after the product changes or is deleted."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items")
    product_id = TSIDField(db_index=True)
    variant_id = TSIDField()
    product_name = models.CharField(max_length=120)
    size_label = models.CharField(max_length=50)
    thumbnail = models.CharField(max_length=200, blank=True)
    unit_price = models.PositiveIntegerField()
    quantity = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product_name} ({self.size_label})"

    @property
    def line_total(self) -> int:
        return self.unit_price * self.quantity
