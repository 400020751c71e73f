from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmissionsConfig(AppConfig):
    name = "emissions"
    verbose_name = _("Emissions")

    def ready(self):
        from companies.signals import membership_activated

        from . import figures
        from .reporting import on_membership_activated

        membership_activated.connect(on_membership_activated, dispatch_uid="emissions.rounds_join")
        figures.connect()
