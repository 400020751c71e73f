from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from klimaalliance.models import Alliance

from .images import clean_logo
from .industries import Industry
from .models import (
    Company,
    ContactPerson,
    Dialogue,
    InternalNote,
    Membership,
    MembershipLevel,
    Story,
)
from .validators import compact_cvr, validate_cvr

PROFILE_FIELDS = [
    "display_name",
    "sub_industry",
    "size_band",
    "address",
    "postcode",
    "city",
    "website",
    "description",
    "description_en",
    "logo",
    "logo_alt",
    "publishes_figures",
]


class LogoMixin(forms.ModelForm):
    """Re-encodes the logo and requires a text alternative whenever there is one.

    A plain FileField, not Django's ImageField: `clean_logo` does every check itself, so
    each kind of bad file gets its own clear message.
    """

    logo = forms.FileField(
        label=_("Logo"),
        required=False,
        widget=forms.ClearableFileInput,
        help_text=_("PNG, JPEG or WebP, at most 2 MB."),
    )

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if logo and hasattr(logo, "content_type"):  # a new upload, not the stored file
            return clean_logo(logo)
        return logo

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("logo") and not (cleaned.get("logo_alt") or "").strip():
            self.add_error("logo_alt", _("Describe the logo for people who cannot see it."))
        return cleaned


class CVRField(forms.CharField):
    """A CVR number as people copy it: "68 43 97 52", "68439752" or "DK68439752".

    Spaces, dashes and a DK prefix are dropped before the length and checksum are checked,
    so the 8-digit limit applies to the digits, not to what was typed.
    """

    def to_python(self, value):
        return compact_cvr(super().to_python(value))

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        return {**attrs, "inputmode": "numeric", "autocomplete": "off"}


class CompanyForm(LogoMixin):
    """Staff register or edit a company: every field, CVR included."""

    class Meta:
        model = Company
        fields = ["cvr", "legal_name", "industry", *PROFILE_FIELDS]
        field_classes = {"cvr": CVRField}
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "description_en": forms.Textarea(attrs={"rows": 4}),
        }

    def existing_company(self):
        """The company that already has the CVR number typed, if the form failed on it."""
        cvr = compact_cvr(self.data.get("cvr", ""))
        return Company.objects.filter(cvr=cvr).exclude(pk=self.instance.pk).first()


class CompanyProfileForm(LogoMixin):
    """A representative edits the company's public profile (not CVR, name or industry)."""

    class Meta:
        model = Company
        fields = PROFILE_FIELDS
        widgets = CompanyForm.Meta.widgets


class ContactPersonForm(forms.ModelForm):
    class Meta:
        model = ContactPerson
        fields = ["name", "title", "email", "phone", "may_sign"]

    def __init__(self, *args, company, **kwargs):
        self.company = company
        super().__init__(*args, **kwargs)

    def clean_email(self):
        email = self.cleaned_data["email"].lower()
        clash = ContactPerson.objects.filter(company=self.company, email__iexact=email)
        if clash.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("This company already has a contact with that e-mail."))
        return email


class MembershipStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=Membership.Status.choices)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea({"rows": 2}))
    reason = forms.CharField(
        label=_("Reason for leaving"), required=False, widget=forms.Textarea({"rows": 2})
    )
    ended_on = forms.DateField(label=_("Left on"), required=False)


class MembershipLevelForm(forms.Form):
    level = forms.ModelChoiceField(
        label=_("Level"), queryset=MembershipLevel.objects.none(), required=False
    )

    def __init__(self, *args, alliance, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].queryset = alliance.levels.all()


class LevelForm(forms.ModelForm):
    class Meta:
        model = MembershipLevel
        fields = ["name", "name_en", "rank", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, alliance, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.alliance = alliance

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        levels = MembershipLevel.objects.filter(alliance=self.instance.alliance, name__iexact=name)
        if levels.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("The alliance already has a level with that name."))
        return name


class InternalNoteForm(forms.ModelForm):
    class Meta:
        model = InternalNote
        fields = ["text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}


class DialogueForm(forms.ModelForm):
    class Meta:
        model = Dialogue
        fields = ["date", "kind", "summary", "follow_up_on"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "follow_up_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "summary": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("date", "follow_up_on"):
            self.fields[name].input_formats = ["%Y-%m-%d", "%d.%m.%Y", "%d-%m-%Y"]

    def clean_follow_up_on(self):
        follow_up = self.cleaned_data.get("follow_up_on")
        if follow_up and follow_up < timezone.localdate():
            raise forms.ValidationError(_("A follow-up date cannot be in the past."))
        return follow_up

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise forms.ValidationError(_("Log a contact once it has happened."))
        return date


class StoryForm(forms.ModelForm):
    """A representative writes a story for one of the company's alliances."""

    image = forms.FileField(
        label=_("Image"), required=False, help_text=_("PNG, JPEG or WebP, at most 2 MB.")
    )

    class Meta:
        model = Story
        fields = ["alliance", "title", "text", "image", "image_alt"]
        widgets = {"text": forms.Textarea(attrs={"rows": 8})}

    def __init__(self, *args, company, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["alliance"].queryset = Alliance.objects.filter(
            memberships__company=company, memberships__status=Membership.Status.ACTIVE
        )
        self.fields["alliance"].empty_label = None

    def clean_image(self):
        image = self.cleaned_data.get("image")
        return clean_logo(image) if image else image

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("image") and not (cleaned.get("image_alt") or "").strip():
            self.add_error("image_alt", _("Describe the image for people who cannot see it."))
        return cleaned


class StoryReviewForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", _("Publish")), ("reject", _("Do not publish"))],
        widget=forms.RadioSelect,
        label=_("Decision"),
    )
    comment = forms.CharField(
        label=_("Comment to the company"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class JoinForm(forms.Form):
    """A company asks to become a partner, on the alliance's public page.

    `homepage` is a honeypot: hidden from people and assistive technology (the template
    keeps it out of sight and out of the tab order), so only a robot fills it in.
    """

    cvr = CVRField(
        label=_("CVR number"),
        max_length=20,
        validators=[validate_cvr],
        help_text=_("8 digits; spaces are fine."),
    )
    company_name = forms.CharField(label=_("Company name"), max_length=200)
    industry = forms.ChoiceField(
        label=_("Industry"), choices=[("", "---------"), *Industry.choices]
    )
    contact_name = forms.CharField(
        label=_("Your name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Your e-mail address"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    phone = forms.CharField(
        label=_("Your phone number"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    message = forms.CharField(
        label=_("Message"),
        max_length=3000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What would your company like to work on? (optional)"),
    )
    homepage = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    HONEYPOT = "homepage"

    def is_robot(self) -> bool:
        return bool(self.data.get(self.HONEYPOT, "").strip())
