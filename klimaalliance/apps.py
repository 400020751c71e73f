from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KlimaallianceConfig(AppConfig):
    name = "klimaalliance"
    verbose_name = _("Alliances and accounts")

    def ready(self):
        from .caching import connect_signals

        connect_signals()
