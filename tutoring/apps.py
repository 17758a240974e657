from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class TutoringConfig(AppConfig):
    default = True  # this module also defines the admin's config below
    name = "tutoring"
    verbose_name = "Tutoring center"


class TutoringAdminConfig(admin_apps.AdminConfig):
    """Django admin, served by ``TutoringAdminSite`` (rate-limited login)."""

    default = False
    default_site = "tutoring.admin_site.TutoringAdminSite"
