"""Forms only the staff pages need: filtering the agreement list and adding a catalogue pledge.

The forms shared with the representative pages live in `partnerships.forms`.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from klimaalliance.choices import FocusArea, PartnershipForm
from klimaalliance.numbers import LocalizedDecimalField

from .models import YEAR_VALIDATORS, Agreement, CatalogueItem


class AgreementFilterForm(forms.Form):
    """The agreement list's filters. Invalid values are dropped by the view, never an error."""

    q = forms.CharField(label=_("Company name"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *Agreement.Status.choices],
    )
    focus = forms.ChoiceField(
        label=_("Focus area"),
        required=False,
        choices=[("", _("All focus areas")), *FocusArea.choices],
    )
    form = forms.ChoiceField(
        label=_("Partnership form"),
        required=False,
        choices=[("", _("All forms")), *PartnershipForm.choices],
    )


class CatalogueChoiceForm(forms.Form):
    """A standard pledge from the alliance's catalogue, with the company's baseline if known."""

    item = forms.ModelChoiceField(
        label=_("Standard pledge"), queryset=CatalogueItem.objects.none(), empty_label=None
    )
    baseline_year = forms.IntegerField(
        label=_("Baseline year (optional)"), required=False, validators=YEAR_VALIDATORS
    )
    baseline_value = LocalizedDecimalField(
        label=_("Baseline value (optional)"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
    )

    def __init__(self, *args, alliance, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = CatalogueItem.objects.filter(alliance=alliance)
        self.fields["item"].label_from_instance = self._item_label

    @staticmethod
    def _item_label(item):
        return f"{item.get_focus_area_display()}: {item.title}"
