from django import forms
from django.utils.translation import gettext_lazy as _

from companies import access
from companies.models import Company
from klimaalliance.choices import FocusArea, Scope
from klimaalliance.forms import OneErrorPerFieldMixin
from klimaalliance.numbers import localized_decimal_formfield

from .documents import content_sha256
from .models import Agreement, AgreementComment, CatalogueItem, Pledge, TemplateClause

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_FORMATS = ["%Y-%m-%d", "%d.%m.%Y", "%d-%m-%Y"]
MAX_VERIFY_BYTES = 20 * 1024 * 1024


class AgreementForm(forms.ModelForm):
    """Staff draft an agreement: the company (a member of the alliance) and its frame."""

    company = forms.ModelChoiceField(label=_("Company"), queryset=Company.objects.none())
    focus_areas = forms.MultipleChoiceField(
        label=_("Focus areas"),
        choices=FocusArea.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Agreement
        fields = [
            "company",
            "language",
            "partnership_form",
            "start_date",
            "end_date",
            "municipality_commitments",
        ]
        widgets = {
            "start_date": DATE_WIDGET,
            "end_date": DATE_WIDGET,
            "municipality_commitments": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, alliance, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = access.agreement_companies(alliance).order_by(
            "legal_name"
        )
        for name in ("start_date", "end_date"):
            self.fields[name].input_formats = DATE_FORMATS
        if self.instance.pk:
            self.fields.pop("company")
            self.initial["focus_areas"] = self.instance.focus_area_codes()

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end <= start:
            self.add_error("end_date", _("The end date must come after the start date."))
        return cleaned


class PledgeForm(OneErrorPerFieldMixin, forms.ModelForm):
    """A pledge's wording and figures; numbers typed as the language writes them."""

    scopes = forms.TypedMultipleChoiceField(
        label=_("Scopes it covers"),
        choices=Scope.choices,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        formfield_callback = staticmethod(localized_decimal_formfield)
        model = Pledge
        fields = [
            "title",
            "description",
            "focus_area",
            "scopes",
            "is_milestone",
            "metric",
            "baseline_year",
            "baseline_value",
            "target_year",
            "target_value",
            "is_public",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class CatalogueItemForm(OneErrorPerFieldMixin, forms.ModelForm):
    scopes = forms.TypedMultipleChoiceField(
        label=_("Scopes it covers"),
        choices=Scope.choices,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        formfield_callback = staticmethod(localized_decimal_formfield)
        model = CatalogueItem
        fields = [
            "focus_area",
            "title",
            "title_en",
            "description",
            "scopes",
            "is_milestone",
            "metric",
            "reduction_percent",
            "target_year",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class TemplateForm(forms.Form):
    title = forms.CharField(label=_("Title (Danish)"), max_length=200)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200, required=False)


ClauseFormSet = forms.formset_factory(
    forms.modelform_factory(
        TemplateClause,
        fields=["heading", "heading_en", "text", "text_en"],
        widgets={
            "text": forms.Textarea(attrs={"rows": 4}),
            "text_en": forms.Textarea(attrs={"rows": 4}),
        },
    ),
    extra=1,
    can_delete=True,
    min_num=1,
    validate_min=True,
)


class CommentForm(forms.ModelForm):
    class Meta:
        model = AgreementComment
        fields = ["text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2})}


class SignatureForm(forms.Form):
    """Typed name, title, an explicit confirmation and the hash of what the signer read."""

    typed_name = forms.CharField(label=_("Your full name"), max_length=150)
    title = forms.CharField(label=_("Your title"), max_length=150)
    confirm = forms.BooleanField(
        label=_("I have read the agreement and sign it on behalf of the party I represent."),
    )
    content_sha256 = forms.CharField(widget=forms.HiddenInput, max_length=64, min_length=64)

    @classmethod
    def for_agreement(cls, agreement, typed_name="", title=""):
        """An unbound form carrying the hash of the agreement as it is now."""
        return cls(
            initial={
                "typed_name": typed_name,
                "title": title,
                "content_sha256": content_sha256(agreement),
            }
        )


def signer_audit(request) -> dict:
    """What a signature records of the request it came in: address and browser."""
    return {
        "ip": request.META.get("REMOTE_ADDR") or None,
        "user_agent": request.META.get("HTTP_USER_AGENT", ""),
    }


class TerminateForm(forms.Form):
    reason = forms.CharField(label=_("Reason for termination"), widget=forms.Textarea({"rows": 3}))


class VerifyForm(forms.Form):
    """Either a verification code or the PDF file itself."""

    code = forms.CharField(label=_("Verification code"), max_length=20, required=False)
    file = forms.FileField(label=_("Signed PDF"), required=False)

    def clean_code(self):
        return self.cleaned_data["code"].strip().upper().replace(" ", "")

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if not upload:
            return upload
        if upload.size > MAX_VERIFY_BYTES:
            raise forms.ValidationError(
                _("The file is larger than 20 MB; it cannot be one of our agreements.")
            )
        upload.seek(0)
        if upload.read(5) != b"%PDF-":
            raise forms.ValidationError(_("The file is not a PDF."))
        upload.seek(0)
        return upload

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("code") and not cleaned.get("file") and not self.errors:
            raise forms.ValidationError(_("Type the verification code or choose the PDF file."))
        return cleaned
