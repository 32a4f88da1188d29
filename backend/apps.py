from django.contrib.admin.apps import AdminConfig


class JalonAdminConfig(AdminConfig):
    """Django's admin with ``JalonAdminSite`` as ``admin.site``."""

    default_site = "backend.admin_site.JalonAdminSite"
