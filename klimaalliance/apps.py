from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KlimaallianceConfig(AppConfig):
    name = "klimaalliance"
    verbose_name = _("Alliances and accounts")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .caching import connect_signals
        from .two_factor import remember_owed_step

        connect_signals()
        user_logged_in.connect(remember_owed_step, dispatch_uid="remember_owed_step")
