from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from .models import Alliance


class CodeField(forms.CharField):
    """Apps show the code as "123 456", and people type it that way: spaces do not count."""

    def to_python(self, value):
        return "".join(super().to_python(value).split())


class CodeForm(forms.Form):
    """A 6-digit code from an authenticator app; whether it is right is the service's job."""

    token = CodeField(
        label=_("6-digit code"),
        help_text=_("Open your authenticator app and type the code it shows for Klimaalliance."),
        max_length=12,
        validators=[RegexValidator(r"^\d{6}$", _("Enter the 6 digits of the code."))],
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class UnlockForm(forms.Form):
    email = forms.EmailField()


class OneErrorPerFieldMixin:
    """A ModelForm whose model adds no second error to a field the form already refused.

    When a field fails the form's own validation ("Ensure this value is greater than or
    equal to 0"), the model's `clean()` sees the field empty and would add "this is
    required" beside it: the person then reads two errors, one of them wrong.
    """

    def _update_errors(self, errors):
        refused = set(self.errors)
        if hasattr(errors, "error_dict"):
            kept = {
                name: messages
                for name, messages in errors.error_dict.items()
                if name not in refused
            }
            if not kept:
                return
            errors = ValidationError(kept)
        super()._update_errors(errors)


class NotificationPreferenceForm(forms.ModelForm):
    class Meta:
        from .models import User

        model = User
        fields = ["notification_mode"]
        widgets = {"notification_mode": forms.RadioSelect}


class AllianceContactForm(forms.ModelForm):
    """The contact the alliance's public page shows; its staff keep it up to date."""

    class Meta:
        model = Alliance
        fields = ["contact_name", "contact_email", "contact_phone", "address", "website"]
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}


class QuickSelect(forms.Select):
    """Django's <select> markup, built in Python: the template renderer includes a template
    per option, which made a filter form of ~70 options a large part of a staff page."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        options = format_html_join(
            "\n",
            '<option value="{}"{}>{}</option>',
            (
                (option["value"], flatatt(option["attrs"]), option["label"])  # "selected" too
                for _group, group_options, _index in widget["optgroups"]
                for option in group_options
            ),
        )
        return format_html(
            '<select name="{}"{}>\n{}\n</select>', widget["name"], flatatt(widget["attrs"]), options
        )
