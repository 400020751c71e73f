"""The one place that scopes a request to an alliance the user may work in."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from .models import Alliance, StaffRole
from .two_factor import second_factor_redirect


def staff_alliance(user, alliance_slug) -> tuple[Alliance, StaffRole | None]:
    """The alliance named by `alliance_slug` if `user` is its staff (or a platform admin).

    Raises Http404 for an unknown alliance and PermissionDenied (403) for anyone else.
    The role is None for a platform administrator without a role of their own.
    """
    alliance = get_object_or_404(Alliance, slug=alliance_slug)
    role = user.staff_roles.filter(alliance=alliance).first()
    if role is None and not user.is_superuser:
        raise PermissionDenied
    return alliance, role


def alliance_staff_required(view):
    """Resolve `alliance_slug` to `request.alliance` for its staff; 403 for everyone else.

    Staff who have not passed the second factor are sent to it (SecondFactorMiddleware does
    so before any view; checked again here because these are the pages it protects)."""

    @login_required
    @wraps(view)
    def wrapper(request, alliance_slug, *args, **kwargs):
        if (pending := second_factor_redirect(request, fresh=True)) is not None:
            return pending
        request.alliance, request.staff_role = staff_alliance(request.user, alliance_slug)
        return view(request, *args, **kwargs)

    return wrapper


def platform_staff_required(view):
    """Only platform administrators (Django staff) who passed the second factor pass."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if (pending := second_factor_redirect(request, fresh=True)) is not None:
            return pending
        if not request.user.is_staff:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper
