from django.db import models
from django.db.models import Q

from apps.core.models import BaseModel


class Look(BaseModel):
    """An outfit card: a cover image and the products it is made of."""

    creator = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="looks", null=True, blank=True
    )
    store = models.ForeignKey(
        "accounts.Store",
        on_delete=models.SET_NULL,
        related_name="looks",
        null=True,
        blank=True,
        help_text="The store that styled this look, if any.",
    )
    title = models.CharField(max_length=120)
    description = models.TextField(max_length=2000, blank=True)
    cover = models.ImageField(
        upload_to="looks/%Y/%m/",
        max_length=200,
        blank=True,
        help_text="Leave empty to compose the cover from the look's products.",
    )
    # False: the cover is composed from the products (swipe.covers) and is composed
    # again when they change. True: staff uploaded it, and it stays as it is.
    cover_is_custom = models.BooleanField(
        "cover uploaded by staff",
        default=False,
        help_text="Untick to compose the cover from the look's products again.",
    )
    likes_count = models.PositiveIntegerField(default=0, editable=False)
    # One bit per category of the look's products (bit = category position), kept by
    # swipe.services.looks_refresh_categories. The feed ranks on it without a join.
    category_mask = models.BigIntegerField(default=0, editable=False)
    is_active = models.BooleanField("published", default=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["-likes_count", "-id"], name="look_popular_idx", condition=Q(is_active=True)
            ),
            models.Index(fields=["id"], name="look_published_idx", condition=Q(is_active=True)),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(likes_count__gte=0), name="look_likes_gte_0")
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return f"/looks/{self.pk}/"


class LookImage(BaseModel):
    look = models.ForeignKey(Look, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(upload_to="looks/%Y/%m/", max_length=200)
    alt = models.CharField(max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.alt or f"Image of {self.look_id}"


class LookProduct(BaseModel):
    look = models.ForeignKey(Look, on_delete=models.CASCADE, related_name="look_products")
    product = models.ForeignKey(
        "products.Product", on_delete=models.CASCADE, related_name="look_entries"
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint("look", "product", name="look_product_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.look.title} · {self.product.name}"


class Swipe(BaseModel):
    """A shopper's reaction to a look. The look is referenced without a database FK:
    the look row is hot (likes_count) and an FK check would share-lock it."""

    class Reaction(models.TextChoices):
        LIKE = "like", "Like"
        DISLIKE = "dislike", "Nope"

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="swipes")
    look = models.ForeignKey(
        Look, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    reaction = models.CharField(max_length=7, choices=Reaction.choices)

    class Meta:
        constraints = [
            # Also the index the feed's anti-join probes: (user, look).
            models.UniqueConstraint("user", "look", name="swipe_user_look_uniq"),
        ]
        indexes = [
            # Liked looks, newest first; the last swipe for undo.
            models.Index(fields=["user", "reaction", "-id"], name="swipe_user_reaction_idx"),
            models.Index(fields=["user", "-id"], name="swipe_user_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.reaction} {self.look_id}"
