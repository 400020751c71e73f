from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnershipsConfig(AppConfig):
    name = "partnerships"
    verbose_name = _("Partnership agreements")

    def ready(self):
        from klimaalliance.personal_data import register_signatures

        from .personal_data import agreement_signatures

        register_signatures(agreement_signatures)
