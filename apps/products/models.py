from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from apps.core.models import BaseModel

from . import rules


class Category(BaseModel):
    name = models.CharField(max_length=60, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class Product(BaseModel):
    store = models.ForeignKey("accounts.Store", on_delete=models.PROTECT, related_name="products")
    # One category per product keeps every list (popular/newest, per category) an
    # index range scan; a many-to-many join cannot be ordered from one index.
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="products")
    name = models.CharField(max_length=120)
    description = models.TextField(max_length=4000, blank=True)
    base_price = models.PositiveIntegerField(help_text="Price in won.")
    thumbnail = models.ImageField(upload_to="products/%Y/%m/", max_length=200, blank=True)
    likes_count = models.PositiveIntegerField(default=0, editable=False)
    is_active = models.BooleanField("on sale", default=True)
    max_per_shopper = models.PositiveSmallIntegerField(
        "limit per shopper",
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Most units of this product one shopper may have in open orders "
        "(ordered or shipped), all sizes together. Empty: no limit.",
    )

    class Meta:
        indexes = [
            # popular: likes_count desc, id desc (all categories / one category)
            models.Index(
                fields=["-likes_count", "-id"],
                name="product_popular_idx",
                condition=Q(is_active=True),
            ),
            models.Index(
                fields=["category", "-likes_count", "-id"],
                name="product_cat_popular_idx",
                condition=Q(is_active=True),
            ),
            # newest: id desc (TSIDs are time-sorted, so id order is creation order)
            models.Index(fields=["-id"], name="product_newest_idx", condition=Q(is_active=True)),
            models.Index(
                fields=["category", "-id"],
                name="product_cat_newest_idx",
                condition=Q(is_active=True),
            ),
            # The full-text GIN index exists on PostgreSQL only: see migration 0002.
        ]
        constraints = [
            models.CheckConstraint(condition=Q(likes_count__gte=0), name="product_likes_gte_0")
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return f"/products/{self.pk}/"


class Variant(BaseModel):
    """One size (and colour) of a product. This row is the stock row."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="variants")
    size = models.CharField(max_length=12, help_text="S, M, L, XL, FREE or 240-290 for shoes.")
    colour = models.CharField(max_length=30, blank=True)
    price_override = models.PositiveIntegerField(
        null=True, blank=True, help_text="Leave empty to use the product's price."
    )
    stock = models.IntegerField(default=0)
    sku = models.CharField("SKU", max_length=40, unique=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(stock__gte=0), name="variant_stock_gte_0"),
            models.UniqueConstraint(
                "product", "size", "colour", name="variant_product_size_colour_uniq"
            ),
        ]

    def __str__(self) -> str:
        label = f"{self.size} / {self.colour}" if self.colour else self.size
        return f"{self.product.name} — {label}"

    @property
    def label(self) -> str:
        return f"{self.size} · {self.colour}" if self.colour else self.size

    @property
    def price(self) -> int:
        return rules.size_price(self.price_override, self.product.base_price)

    @property
    def stock_state(self) -> str:
        return rules.stock_state(self.stock)

    @property
    def sold_out(self) -> bool:
        return self.stock_state == "sold_out"


class ProductImage(BaseModel):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(upload_to="products/%Y/%m/", max_length=200)
    alt = models.CharField(max_length=200, blank=True)
    colour = models.CharField(
        max_length=30, blank=True, help_text="The colour shown, when the product has several."
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.alt or f"Image of {self.product_id}"


class ProductLike(BaseModel):
    """A shopper's like. The product is referenced without a database FK: the product
    row is hot (likes_count), and an FK check would share-lock it on every insert."""

    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="product_likes"
    )
    product = models.ForeignKey(
        Product,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint("user", "product", name="product_like_user_product_uniq")
        ]
        indexes = [models.Index("product", name="product_like_product_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} likes {self.product_id}"
