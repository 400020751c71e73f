"""Fixed vocabularies of the domain shared by every app (see ../shared/domain.md)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PartnershipForm(models.TextChoices):
    """KL's seven forms a climate partnership takes."""

    PRODUCT = "product", _("Public-private partnership: a company's product cuts CO2")
    PROCUREMENT = "procurement", _("Partnership or procurement demanding low-footprint products")
    RESOURCES = "resources", _("Partnership about resources (energy, waste, …)")
    JOINT = "joint", _("Joint agreement: municipality and company commit each other")
    NETWORK = "network", _("Network or working group exploring shared challenges")
    PROJECT = "project", _("Project where the municipality helps a company cut CO2")
    SKILLS = "skills", _("Upskilling and recruiting a green workforce")


class FocusArea(models.TextChoices):
    ENERGY = "energy", pgettext_lazy("focus area", "Energy")
    TRANSPORT = "transport", _("Transport and mobility")
    PRODUCTION = "production", pgettext_lazy("focus area", "Production")
    AGRICULTURE = "agriculture", _("Agriculture and land use")
    BUILDINGS = "buildings", _("Buildings")
    WASTE = "waste", _("Waste and circular economy")
    PROCUREMENT = "procurement", _("Procurement")
    COMPETENCES = "competences", _("Competences")


class Scope(models.IntegerChoices):
    SCOPE_1 = 1, _("Scope 1: own combustion, vehicles, processes and livestock")
    SCOPE_2 = 2, _("Scope 2: purchased electricity and heat")
    SCOPE_3 = 3, _("Scope 3: the value chain")
