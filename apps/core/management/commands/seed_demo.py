from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

DEMO_SHOPPER_EMAIL = "demo@baro.local"
DEMO_STAFF_EMAIL = "staff@baro.local"
DEMO_PASSWORD = "swipe-right-2026"  # noqa: S105 - demo data, printed on purpose


class Command(BaseCommand):
    help = "Create demo accounts (a shopper and a staff admin). Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already has users.",
        )

    def handle(self, *args, if_empty: bool = False, **options):
        User = get_user_model()
        if if_empty and User.objects.exists():
            self.stdout.write("Demo data: the database already has data, nothing to do.")
            return
        with transaction.atomic():
            shopper, _ = User.objects.get_or_create(
                email=DEMO_SHOPPER_EMAIL,
                defaults={"name": "Demo Shopper", "shipping_address": "1 Seongsu-ro, Seoul"},
            )
            shopper.set_password(DEMO_PASSWORD)
            shopper.save()
            staff, _ = User.objects.get_or_create(
                email=DEMO_STAFF_EMAIL,
                defaults={"name": "Shop Staff", "role": User.Role.ADMIN},
            )
            staff.is_staff = True
            staff.is_superuser = True
            staff.set_password(DEMO_PASSWORD)
            staff.save()
        self.stdout.write(self.style.SUCCESS("Demo accounts ready:"))
        self.stdout.write(f"  shopper  {DEMO_SHOPPER_EMAIL} / {DEMO_PASSWORD}")
        self.stdout.write(f"  staff    {DEMO_STAFF_EMAIL} / {DEMO_PASSWORD}  (/admin/)")
