from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The roof: the root URLconf, pages that combine apps, sitemaps and demo seeding."""

    name = "portal"
    verbose_name = _("Portal")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .context_processors import remember_representation

        user_logged_in.connect(remember_representation, dispatch_uid="remember_representation")
