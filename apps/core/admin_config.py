from django.contrib.admin.apps import AdminConfig


class ShopAdminConfig(AdminConfig):
    """django.contrib.admin with the shop's site (apps/core/admin.py)."""

    default_site = "apps.core.admin.ShopAdminSite"
