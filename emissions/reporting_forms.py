"""Forms of the reporting round: staff open a round, extend, send back; the representative
fills in the report. They validate input only; the rules live in `emissions.reporting`."""

from django import forms
from django.core.validators import MaxValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from klimaalliance.numbers import LocalizedDecimalField

from .models import PledgeStatus
from .reporting import prefill_value

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_FORMATS = ["%Y-%m-%d", "%d.%m.%Y", "%d-%m-%Y"]


class RoundOpenForm(forms.Form):
    year = forms.IntegerField(label=_("Reporting year"), min_value=1990)
    deadline = forms.DateField(label=_("Deadline"), widget=DATE_WIDGET, input_formats=DATE_FORMATS)
    # The rule (a finished year unless confirmed) lives in `reporting.round_open`.
    allow_unfinished_year = forms.BooleanField(
        label=_("The year is not over yet; open the round anyway"),
        required=False,
        help_text=_("Only needed for this year, whose figures are not complete yet."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        this_year = timezone.localdate().year
        year = self.fields["year"]
        year.widget.attrs["max"] = this_year
        year.validators.append(MaxValueValidator(this_year))
        year.error_messages["min_value"] = year.error_messages["max_value"] = _(
            "The year must be between 1990 and this year (%(year)s)."
        ) % {"year": this_year}
        year.help_text = _("The year the companies report on, usually last year.")

    def clean_deadline(self):
        deadline = self.cleaned_data["deadline"]
        if deadline <= timezone.localdate():
            raise forms.ValidationError(_("The deadline must be after today."))
        return deadline


class ExtensionForm(forms.Form):
    until = forms.DateField(label=_("New deadline"), widget=DATE_WIDGET, input_formats=DATE_FORMATS)


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("What should the company change?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages={"required": _("Tell the company what to change.")},
    )

    def clean_comment(self):
        comment = self.cleaned_data["comment"].strip()
        if not comment:
            raise forms.ValidationError(_("Tell the company what to change."))
        return comment


class ReportForm(forms.Form):
    """The representative's report: one value (or a milestone's state) and a note per
    pledge, and the narrative. `version` is the report's version when the form was shown,
    so a save over someone else's newer save is refused."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    narrative = forms.CharField(
        label=_("The year in brief"),
        help_text=_("A few lines on what the company did this year; published with the report."),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def __init__(self, *args, report, statuses, inventory=None, **kwargs):
        self.report = report
        self.statuses = list(statuses)
        self.suggestions = {}
        initial = {"version": report.version, "narrative": report.narrative}
        for status in self.statuses:
            suggestion = prefill_value(status, inventory)
            if suggestion is not None:
                self.suggestions[status.pk] = suggestion
            if status.pledge.is_milestone:
                initial[f"milestone_{status.pk}"] = status.milestone
            else:
                initial[f"value_{status.pk}"] = (
                    status.value if status.value is not None else suggestion
                )
            initial[f"note_{status.pk}"] = status.note
        super().__init__(*args, initial=initial, **kwargs)
        for status in self.statuses:
            pledge = status.pledge
            if pledge.is_milestone:
                self.fields[f"milestone_{status.pk}"] = forms.ChoiceField(
                    label=_("Status"),
                    choices=[("", "–"), *PledgeStatus.Milestone.choices],
                    required=False,
                )
            else:
                self.fields[f"value_{status.pk}"] = LocalizedDecimalField(
                    label=_("Value in %(year)s (%(metric)s)")
                    % {"year": report.round.year, "metric": pledge.metric},
                    required=False,
                    min_value=0,
                    max_digits=14,
                    decimal_places=2,
                )
            self.fields[f"note_{status.pk}"] = forms.CharField(
                label=_("Short note"), required=False, max_length=500
            )

    def rows(self):
        """(status, value or milestone field, note field, suggested value) per pledge."""
        for status in self.statuses:
            kind = "milestone" if status.pledge.is_milestone else "value"
            yield (
                status,
                self[f"{kind}_{status.pk}"],
                self[f"note_{status.pk}"],
                self.suggestions.get(status.pk),
            )

    def pledge_data(self) -> dict:
        """`{status id: (value, milestone, note)}` for `reporting.report_save`."""
        data = self.cleaned_data
        return {
            status.pk: (
                data.get(f"value_{status.pk}"),
                data.get(f"milestone_{status.pk}") or "",
                data.get(f"note_{status.pk}", "").strip(),
            )
            for status in self.statuses
        }
