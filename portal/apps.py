from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The roof: the root URLconf, pages that combine apps, sitemaps and demo seeding."""

    name = "portal"
    verbose_name = _("Portal")
