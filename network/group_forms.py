"""Forms of the staff pages for working groups; the writes go through `group_services`."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .group_services import alliance_member_companies
from .models import GroupMember, Meeting, WorkingGroup


class DateInput(forms.DateInput):
    """A native date picker; its value must be ISO, whatever the page's language."""

    input_type = "date"

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs, format=format or "%Y-%m-%d")


def _company_label(company):
    return f"{company.name} ({company.cvr})"


class CompanyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _company_label(obj)


class GroupForm(forms.ModelForm):
    """A group's own fields; on creation also the first chair (from the alliance's members)."""

    chair_company = CompanyChoiceField(
        label=_("Chair organisation"),
        queryset=None,
        required=False,
        help_text=_("A member company of the alliance; it also becomes a member of the group."),
    )

    class Meta:
        model = WorkingGroup
        fields = ["name", "theme", "description", "description_en", "status", "chair_mode"]
        # Not the model's "chair": in Danish both would read "Formandskab" beside the
        # chair organisation.
        labels = {"chair_mode": _("Fixed or rotating chair")}
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "description_en": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, alliance, with_chair=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.alliance = alliance
        if with_chair:
            self.fields["chair_company"].queryset = alliance_member_companies(alliance)
        else:
            del self.fields["chair_company"]

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        others = WorkingGroup.objects.filter(alliance=self.alliance, name__iexact=name)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(_("The alliance already has a group with this name."))
        return name


class ChairForm(forms.Form):
    company = CompanyChoiceField(label=_("New chair organisation"), queryset=None)
    on = forms.DateField(label=_("From"), widget=DateInput, initial=timezone.localdate)

    def __init__(self, *args, group, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = alliance_member_companies(group.alliance)
        self.auto_id = "chair_%s"


class MemberAddForm(forms.Form):
    company = CompanyChoiceField(label=_("Company"), queryset=None)
    on = forms.DateField(label=_("Joined on"), widget=DateInput, initial=timezone.localdate)

    def __init__(self, *args, group, **kwargs):
        super().__init__(*args, **kwargs)
        current = GroupMember.objects.filter(group=group, left_on__isnull=True)
        self.fields["company"].queryset = alliance_member_companies(group.alliance).exclude(
            pk__in=current.values("company_id")
        )
        self.auto_id = "member_%s"


class LeaveForm(forms.Form):
    on = forms.DateField(label=_("Left on"), required=False, widget=DateInput)


class MeetingForm(forms.ModelForm):
    class Meta:
        model = Meeting
        fields = ["date", "agenda", "minutes"]
        widgets = {
            "date": DateInput(format="%Y-%m-%d"),
            "agenda": forms.Textarea(attrs={"rows": 5}),
            "minutes": forms.Textarea(attrs={"rows": 8}),
        }


class DocumentForm(forms.Form):
    """Title and file; `group_services.document_add` checks that the file is a real PDF."""

    title = forms.CharField(label=_("Title"), max_length=200)
    file = forms.FileField(
        label=_("PDF file"),
        help_text=_("A PDF document of at most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.auto_id = "document_%s"
