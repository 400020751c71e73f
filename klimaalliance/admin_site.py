"""The Django admin on a site that demands the second factor (TOTP), like django-otp's
`OTPAdminSite` but without its login form: the portal's own sign-in asks for the code.

`SecondFactorMiddleware` already sends an unverified administrator to the code page before
any admin view runs; this site is the second lock, so the admin stays closed even for a
request that somehow skipped the middleware.
"""

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig


class SecondFactorAdminSite(AdminSite):
    def has_permission(self, request):
        is_verified = getattr(request.user, "is_verified", None)
        return super().has_permission(request) and is_verified is not None and is_verified()


class PortalAdminConfig(AdminConfig):
    """`django.contrib.admin`, with `SecondFactorAdminSite` as `admin.site`."""

    default_site = "klimaalliance.admin_site.SecondFactorAdminSite"
