from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.forms.utils import flatatt
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe
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
        # An option's attributes are nothing or `selected` (Select.option_inherits_attrs is
        # False): written out directly, as flatatt() per option cost more than the rest.
        options = mark_safe(  # noqa: S308 (every value and label is escaped)
            "\n".join(
                f'<option value="{conditional_escape(option["value"])}"'
                f"{' selected' if option['selected'] else ''}>"
                f"{conditional_escape(option['label'])}</option>"
                for _group, group_options, _index in widget["optgroups"]
                for option in group_options
            )
        )
        return format_html(
            '<select name="{}"{}>\n{}\n</select>', widget["name"], flatatt(widget["attrs"]), options
        )


def filter_field(field) -> str:
    """One field (a text box or a select) of a list page's filter form, with the markup of
    crispy-forms' Bootstrap 5 field: label, control, each error and the help text.

    Built in Python: the crispy template pack renders several nested templates per field,
    which cost a staff list page more than its rows."""
    widget = field.field.widget
    classes = widget.attrs.get("class", "").split()
    for name in (
        type(widget).__name__.lower(),
        "form-select" if isinstance(widget, forms.Select) else "form-control",
        *(["is-invalid"] if field.errors else []),
    ):
        if name not in classes:
            classes.append(name)
    label = ""
    if field.label:
        required = field.field.required
        label = format_html(
            '<label{} class="form-label{}">{}{}</label>',
            format_html(' for="{}"', field.id_for_label) if field.id_for_label else "",
            " requiredField" if required else "",
            field.label,
            mark_safe('<span class="asteriskField">*</span>') if required else "",
        )
    errors = ""
    if field.errors:
        errors = format_html(
            '<div id="{}_error" class="invalid-feedback">{}</div>',
            field.errors.field_id,
            format_html_join(
                "",
                '<p id="error_{}_{}"><strong>{}</strong></p>',
                ((number, field.auto_id, error) for number, error in enumerate(field.errors, 1)),
            ),
        )
    help_text = ""
    if field.help_text:
        help_text = format_html(
            '<div {}class="form-text">{}</div>',
            format_html('id="{}_helptext" ', field.auto_id) if field.auto_id else "",
            mark_safe(field.help_text),  # noqa: S308 (our own strings, as crispy-forms has it)
        )
    css = field.css_classes()
    return format_html(
        '<div id="div_{}" class="mb-3{}">{}{}{}{}</div>',
        field.auto_id,
        f" {css}" if css else "",
        label,
        field.as_widget(attrs={"class": " ".join(classes)}),
        errors,
        help_text,
    )
