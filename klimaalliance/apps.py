from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KlimaallianceConfig(AppConfig):
    name = "klimaalliance"
    verbose_name = _("Alliances and accounts")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in
        from django.db.backends.signals import connection_created

        from . import private_pages
        from .caching import connect_signals
        from .two_factor import remember_owed_step

        connect_signals()
        connection_created.connect(private_pages.install, dispatch_uid="watch_writes")
        user_logged_in.connect(remember_owed_step, dispatch_uid="remember_owed_step")
