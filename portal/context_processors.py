"""The roof's navigation needs: how many tasks wait for the signed-in person."""

from django.utils.functional import SimpleLazyObject

from klimaalliance.permissions import staff_roles

from . import my_tasks


def tasks(request):
    """`my_task_count` for signed-in people (one query, only when a page shows it);
    nothing at all for anonymous visitors, so public pages stay as they are."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Noted in the session at sign-in (`remember_representation`): no query per page.
    represents = getattr(request, "session", {}).get(REPRESENTS_KEY)

    def count():
        # Only the kinds of task of the roles the person has (staff roles: read anyway
        # for the menu); a session from before the note counts a representative's too.
        staff = bool(staff_roles(request)) or user.is_staff
        return my_tasks.task_count(user, staff=staff, representative=represents is not False)

    return {
        "my_task_count": SimpleLazyObject(count),
        "represents_companies": bool(represents),
    }


REPRESENTS_KEY = "represents_companies"


def remember_representation(sender, request, user, **kwargs):
    """At sign-in, note whether the person acts for a company (the menu's "My working
    groups"); accepting an invitation signs the person in again, so it stays true."""
    request.session[REPRESENTS_KEY] = user.representations.exists()
