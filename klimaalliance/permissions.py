"""The one place that scopes a request to an alliance the user may work in."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from .models import Alliance, StaffRole
from .private_pages import remembered
from .two_factor import second_factor_redirect


def staff_roles(request) -> list[StaffRole]:
    """The signed-in user's staff roles with their alliances, shared by the permission check
    and the navigation (context_processors.portal): read from the database once per
    private data version, i.e. again after any write (a role granted or withdrawn, an
    alliance renamed), and else from the cache in the round trip that reads the version."""
    user = request.user
    if not user.is_authenticated:
        return []
    if getattr(request, "_staff_roles", None) is None:
        request._staff_roles = remembered(
            request,
            f"staff-roles:{user.pk}",
            lambda: list(user.staff_roles.select_related("alliance")),
        )
    return request._staff_roles


def staff_alliance(request, alliance_slug) -> tuple[Alliance, StaffRole | None]:
    """The alliance named by `alliance_slug` if the user is its staff (or a platform admin).

    Raises Http404 for an unknown alliance and PermissionDenied (403) for anyone else.
    The role is None for a platform administrator without a role of their own.
    """
    for role in staff_roles(request):
        if role.alliance.slug == alliance_slug:
            return role.alliance, role
    alliance = get_object_or_404(Alliance, slug=alliance_slug)
    if not request.user.is_superuser:
        raise PermissionDenied
    return alliance, None


def alliance_staff_required(view):
    """Resolve `alliance_slug` to `request.alliance` for its staff; 403 for everyone else.

    Staff who have not passed the second factor are sent to it (SecondFactorMiddleware does
    so before any view; checked again here because these are the pages it protects)."""

    @login_required
    @wraps(view)
    def wrapper(request, alliance_slug, *args, **kwargs):
        if (pending := second_factor_redirect(request, fresh=True)) is not None:
            return pending
        request.alliance, request.staff_role = staff_alliance(request, alliance_slug)
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
