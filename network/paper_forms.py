"""Forms for commitment papers: the staff's draft form and the representative's signature."""

from django import forms
from django.utils.translation import gettext_lazy as _

from partnerships.forms import SignatureForm

from .models import CommitmentPaper


class PaperForm(forms.ModelForm):
    class Meta:
        model = CommitmentPaper
        fields = ["title", "title_en", "text", "text_en", "focus_area", "target_year"]
        widgets = {
            "text": forms.Textarea({"rows": 10}),
            "text_en": forms.Textarea({"rows": 10}),
        }
        help_texts = {
            "target_year": _("The year the commitment is to be met, e.g. 2030."),
        }

    def clean_target_year(self):
        year = self.cleaned_data.get("target_year")
        if year is not None and not 2000 <= year <= 2100:
            raise forms.ValidationError(_("Give a year between 2000 and 2100."))
        return year


class PaperSignatureForm(SignatureForm):
    """The agreement signature form plus the company signed for (hidden when only one)."""

    company = forms.ModelChoiceField(
        label=_("Sign for the company"), queryset=None, empty_label=None
    )

    field_order = ["company", "typed_name", "title", "confirm", "content_sha256"]

    def __init__(self, *args, companies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = companies
        self.fields["confirm"].label = _(
            "I have read the commitment paper and sign it on behalf of the company."
        )
        if len(companies) == 1:
            self.fields["company"].widget = forms.HiddenInput()
            self.fields["company"].initial = companies[0].pk


class PledgeChoiceForm(forms.Form):
    company = forms.ModelChoiceField(label=_("Company"), queryset=None)

    def __init__(self, *args, companies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = companies
