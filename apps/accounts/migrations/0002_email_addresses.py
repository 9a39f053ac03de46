"""Accounts made before allauth get the email address allauth keeps beside the user
(primary, not yet confirmed), so password resets and confirmations find them."""

from django.db import migrations


def add_email_addresses(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    EmailAddress = apps.get_model("account", "EmailAddress")
    have = set(EmailAddress.objects.values_list("user_id", flat=True))
    EmailAddress.objects.bulk_create(
        [
            EmailAddress(user_id=user_id, email=email.lower(), primary=True, verified=False)
            for user_id, email in User.objects.values_list("id", "email").iterator()
            if user_id not in have
        ],
        batch_size=1000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("account", "0009_emailaddress_unique_primary_email"),
    ]

    operations = [migrations.RunPython(add_email_addresses, migrations.RunPython.noop)]
