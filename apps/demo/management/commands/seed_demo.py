import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from apps.core.db import lift_statement_timeout
from apps.demo import catalogue
from apps.demo import looks as demo_looks
from apps.products.models import Product
from apps.products.services import product_like_set
from apps.swipe.models import Look

DEMO_SHOPPER_EMAIL = "demo@baro.local"
DEMO_STAFF_EMAIL = "staff@baro.local"
DEMO_PASSWORD = "swipe-right-2026"  # noqa: S105 - demo data, printed on purpose


class Command(BaseCommand):
    help = (
        "Create a demo shop: stores, categories, products with sizes, stock and images, "
        "a demo shopper and a staff admin. Running it again adds nothing; --reset starts over."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--products", type=int, default=600, help="Products to create (default 600)."
        )
        parser.add_argument(
            "--looks",
            type=int,
            default=None,
            help="Looks to create (default: one per 10 products, between 30 and 5,000).",
        )
        parser.add_argument(
            "--seed", type=int, default=2026, help="Random seed (same seed, same shop)."
        )
        parser.add_argument(
            "--reset", action="store_true", help="Delete the looks and the catalogue first."
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already has products.",
        )

    def handle(
        self,
        *args,
        products: int,
        looks: int | None,
        seed: int,
        reset: bool,
        if_empty: bool,
        **options,
    ):
        if products < 1 or products > 5_000_000:
            raise CommandError("--products must be between 1 and 5,000,000.")
        if if_empty and Product.objects.exists():
            self.stdout.write("Demo data: the shop already has products, nothing to do.")
            return
        lift_statement_timeout()  # COPY of a million-product catalogue takes minutes
        started = time.monotonic()
        shopper, _staff = self._accounts()
        if reset:
            self.stdout.write("Removing the existing looks and catalogue...")
            demo_looks.reset_looks()
            catalogue.reset_catalogue()
        if catalogue.catalogue_exists():
            self.stdout.write(
                f"The catalogue already has {Product.objects.count():,} products; "
                "use --reset to start over."
            )
        else:
            report = catalogue.seed_catalogue(products=products, seed=seed, log=self.stdout.write)
            self.stdout.write(
                f"Catalogue: {report.stores:,} stores, {report.products:,} products, "
                f"{report.variants:,} sizes, {report.images:,} images, {report.likes:,} likes "
                f"in {report.seconds:.1f} s"
            )
            for product_id in Product.objects.order_by("-likes_count", "-id").values_list(
                "id", flat=True
            )[:4]:
                product_like_set(user=shopper, product_id=product_id, liked=True)
        if Look.objects.exists():
            self.stdout.write(f"Looks: {Look.objects.count():,} already there.")
        else:
            count = looks if looks is not None else max(30, min(5000, products // 10))
            demo_looks.seed_looks(count=count, seed=seed, log=self.stdout.write)
        self.stdout.write(
            self.style.SUCCESS(f"Demo shop ready in {time.monotonic() - started:.1f} s.")
        )
        self.stdout.write(f"  shopper  {DEMO_SHOPPER_EMAIL} / {DEMO_PASSWORD}")
        self.stdout.write(f"  staff    {DEMO_STAFF_EMAIL} / {DEMO_PASSWORD}  (admin at /admin/)")
        self.stdout.write(
            f"  seller   {catalogue.DEMO_SELLER_EMAIL} / {DEMO_PASSWORD}  (sees only their store)"
        )

    def _accounts(self):
        User = get_user_model()
        with transaction.atomic():
            shopper, _ = User.objects.get_or_create(
                email=DEMO_SHOPPER_EMAIL,
                defaults={
                    "name": "Demo Shopper",
                    "shipping_address": "1 Seongsu-ro, Seongdong-gu, Seoul",
                },
            )
            staff, _ = User.objects.get_or_create(
                email=DEMO_STAFF_EMAIL, defaults={"name": "Shop Staff", "role": User.Role.ADMIN}
            )
            staff.is_staff = staff.is_superuser = True
            seller, _ = User.objects.get_or_create(
                email=catalogue.DEMO_SELLER_EMAIL,
                defaults={"name": "Demo Seller", "role": User.Role.SELLER},
            )
            seller.is_staff = True
            for user in (shopper, staff, seller):
                user.set_password(DEMO_PASSWORD)
                user.save()
        return shopper, staff
