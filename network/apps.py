from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    name = "network"
    verbose_name = _("Working groups and networks")

    def ready(self):
        from klimaalliance.personal_data import register_signatures

        from .personal_data import paper_signatures

        register_signatures(paper_signatures)
