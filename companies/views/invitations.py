"""Invitations: staff send, resend and revoke them; the invited person accepts by link."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from klimaalliance.permissions import alliance_staff_required

from .. import access
from .. import invitations as service
from ..models import ContactPerson, Invitation

# --- Staff -------------------------------------------------------------------------------


def _back_to_company(alliance, company_id):
    return redirect(
        reverse(
            "companies:company-detail", kwargs={"alliance_slug": alliance.slug, "pk": company_id}
        )
    )


def _report(request, error: ValidationError):
    for text in error.messages:
        messages.error(request, text)


@require_POST
@alliance_staff_required
def invitation_create(request, pk, contact_id):
    """Invite a contact of a member company of the staff member's alliance."""
    membership = access.staff_membership(request, pk)
    contact = get_object_or_404(ContactPerson, pk=contact_id, company_id=membership.company_id)
    try:
        service.invitation_send(
            alliance=request.alliance,
            contact=contact,
            by=request.user,
            language=request.POST.get("language"),
        )
    except ValidationError as error:
        _report(request, error)
    else:
        messages.success(
            request, _("The invitation to %(email)s is on its way.") % {"email": contact.email}
        )
    return _back_to_company(request.alliance, pk)


def _alliance_invitation(request, invitation_id):
    return get_object_or_404(Invitation, pk=invitation_id, alliance=request.alliance)


@require_POST
@alliance_staff_required
def invitation_resend(request, invitation_id):
    invitation = _alliance_invitation(request, invitation_id)
    try:
        service.invitation_resend(invitation=invitation, by=request.user)
    except ValidationError as error:
        _report(request, error)
    else:
        messages.success(
            request,
            _("The invitation has been sent again to %(email)s. Earlier links no longer work.")
            % {"email": invitation.email},
        )
    return _back_to_company(request.alliance, invitation.company_id)


@require_POST
@alliance_staff_required
def invitation_revoke(request, invitation_id):
    invitation = _alliance_invitation(request, invitation_id)
    try:
        service.invitation_revoke(invitation=invitation, by=request.user)
    except ValidationError as error:
        _report(request, error)
    else:
        messages.success(
            request,
            _("The invitation to %(email)s has been revoked; its link no longer works.")
            % {"email": invitation.email},
        )
    return _back_to_company(request.alliance, invitation.company_id)


# --- The invited person ------------------------------------------------------------------

NEW_ACCOUNT = "new_account"
LOG_IN_FIRST = "log_in_first"
CONFIRM = "confirm"
OTHER_ACCOUNT = "other_account"


def _mode(request, invitation):
    """Which variant of the page the visitor gets."""
    user = request.user
    if user.is_authenticated:
        same = user.email.lower() == invitation.email.lower()
        return CONFIRM if same else OTHER_ACCOUNT
    return LOG_IN_FIRST if service.account_for(invitation) else NEW_ACCOUNT


def _invalid(request, error: service.InvitationLinkError):
    status = 404 if error.reason == service.InvitationLinkError.INVALID else 410
    context = {"reason": error.reason, "invitation": error.invitation}
    return render(request, "companies/invitation_invalid.html", context, status=status)


def _accepted(request, invitation, user):
    if not request.user.is_authenticated:
        # The password was just set here: sign in with the backend that checks passwords
        # (the first backend is django-axes' lockout check, which cannot load users).
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(
        request,
        _("Welcome! You now represent %(company)s in %(alliance)s.")
        % {"company": invitation.company.name, "alliance": invitation.alliance.name},
    )
    return redirect("my:company-detail", pk=invitation.company_id)


def _accept(request, invitation, mode, form):
    """Try to accept on POST; returns a response on success, else None (form has errors)."""
    if mode == CONFIRM:
        user = service.invitation_accept(invitation=invitation, user=request.user)
        return _accepted(request, invitation, user)
    if mode == NEW_ACCOUNT and form.is_valid():
        try:
            user = service.invitation_accept(
                invitation=invitation, password=form.cleaned_data["new_password1"]
            )
        except ValidationError as error:
            form.add_error(None, error)
            return None
        return _accepted(request, invitation, user)
    return None


@require_http_methods(["GET", "POST"])
@never_cache
@sensitive_post_parameters("new_password1", "new_password2")
def invitation_accept(request, token):
    """The link in the invitation mail: set a password (or log in) and become representative."""
    try:
        invitation = service.read_token(token)
    except service.InvitationLinkError as error:
        return _invalid(request, error)
    mode = _mode(request, invitation)
    form = None
    if mode == NEW_ACCOUNT:
        data = request.POST if request.method == "POST" else None
        form = SetPasswordForm(service.new_user_for(invitation), data)
    if request.method == "POST":
        try:
            response = _accept(request, invitation, mode, form)
        except service.InvitationLinkError as error:
            return _invalid(request, error)
        if response is not None:
            return response
    context = {
        "invitation": invitation,
        "company": invitation.company,
        "alliance": invitation.alliance,
        "mode": mode,
        "form": form,
        "login_url": f"{reverse('login')}?{urlencode({'next': request.path})}",
    }
    return render(request, "companies/invitation_accept.html", context)
