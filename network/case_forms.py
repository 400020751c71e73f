"""Forms of the inspiration catalogue: the staff's case form and the public filter form."""

from django import forms
from django.utils.translation import gettext_lazy as _

from klimaalliance.choices import FocusArea, PartnershipForm

from .models import InspirationCase


class CaseForm(forms.ModelForm):
    """A case as staff write it; the view sets `alliance` and `created_by`."""

    class Meta:
        model = InspirationCase
        fields = [
            "title",
            "municipality",
            "partnership_form",
            "focus_area",
            "companies_involved",
            "what_was_done",
            "results",
            "contact",
            "source",
            "is_published",
        ]
        widgets = {
            "companies_involved": forms.Textarea(attrs={"rows": 3}),
            "what_was_done": forms.Textarea(attrs={"rows": 6}),
            "results": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "results": _("Give figures where you have them, e.g. tonnes of CO2 saved a year."),
            "contact": _("Who other municipalities may ask, e.g. a name and a work e-mail."),
            "source": _("Where the case was published first, if anywhere."),
            "is_published": _(
                "Published cases are shown to everyone in the inspiration catalogue."
            ),
        }


class CaseFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    form = forms.ChoiceField(
        label=_("Partnership form"),
        required=False,
        choices=[("", _("All forms")), *PartnershipForm.choices],
    )
    focus = forms.ChoiceField(
        label=_("Focus area"),
        required=False,
        choices=[("", _("All focus areas")), *FocusArea.choices],
    )

    def filters(self):
        """The valid filter values; an invalid value counts as no filter at all."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {name: "" if name in self.errors else data.get(name) or "" for name in self.fields}
