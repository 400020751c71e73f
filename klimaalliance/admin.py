from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _

from .models import Alliance, AllianceTarget, SealCertificate, StaffRole, User, WorkerHeartbeat


class AllianceTargetInline(admin.TabularInline):
    model = AllianceTarget
    extra = 1


class StaffRoleInline(admin.TabularInline):
    model = StaffRole
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Alliance)
class AllianceAdmin(admin.ModelAdmin):
    list_display = ["name", "municipality", "municipality_code", "slug"]
    search_fields = ["name", "municipality", "municipality_code"]
    prepopulated_fields = {"slug": ["municipality"]}
    inlines = [AllianceTargetInline, StaffRoleInline]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_staff", "is_active"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Personal info"), {"fields": ["first_name", "last_name", "language"]}),
        (
            _("Permissions"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ["hostname", "seen_at"]


class SealCertificateForm(forms.ModelForm):
    """Upload of a PKCS#12 file: it must open with the password in the environment variable
    the row names. The password is never asked for here nor stored."""

    upload = forms.FileField(
        label=_("PKCS#12 file (.p12 or .pfx)"),
        help_text=_("The organisation certificate with its private key."),
    )

    class Meta:
        model = SealCertificate
        fields = ["alliance", "label", "password_env", "is_active"]

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("upload")
        if upload is None or self.errors:
            return cleaned
        if upload.size > 100_000:
            raise forms.ValidationError(_("A PKCS#12 file is a few kilobytes; this one is not."))
        self.instance.password_env = cleaned.get("password_env", "")
        data = upload.read()
        try:
            self.instance.read_certificate(data)
        except ValueError as error:  # the messages name no secret
            raise forms.ValidationError(str(error)) from error
        self._pkcs12 = data
        return cleaned

    def save(self, commit=True):
        self.instance.pkcs12.save("upload.p12", ContentFile(self._pkcs12), save=False)
        return super().save(commit)


@admin.register(SealCertificate)
class SealCertificateAdmin(admin.ModelAdmin):
    """Organisation certificates that seal the PDFs. A new upload replaces the active one,
    which stays as an inactive row; the key file is never offered for download."""

    list_display = ["label", "alliance", "subject", "valid_until", "is_active", "uploaded_at"]
    list_filter = ["is_active", "alliance"]
    search_fields = ["label", "subject", "fingerprint_sha256"]
    readonly_fields = [
        "subject",
        "issuer",
        "serial_number",
        "fingerprint_sha256",
        "valid_from",
        "valid_until",
        "uploaded_at",
    ]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = SealCertificateForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["alliance", "label", "upload", "password_env", "is_active"]
        # A stored certificate is replaced by uploading a new one, never edited.
        return ["alliance", "label", "password_env", "is_active", *self.readonly_fields]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["alliance", "password_env", *self.readonly_fields]

    def has_delete_permission(self, request, obj=None):
        return False  # kept for the record; deactivate instead
