"""The roof's navigation needs: how many tasks wait for the signed-in person."""

from django.utils.functional import SimpleLazyObject

from . import my_tasks


def tasks(request):
    """`my_task_count` for signed-in people (one query, only when a page shows it);
    nothing at all for anonymous visitors, so public pages stay as they are."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "my_task_count": SimpleLazyObject(lambda: my_tasks.task_count(user)),
        # Noted in the session at sign-in (`remember_representation`): no query per page.
        "represents_companies": getattr(request, "session", {}).get(REPRESENTS_KEY, False),
    }


REPRESENTS_KEY = "represents_companies"


def remember_representation(sender, request, user, **kwargs):
    """At sign-in, note whether the person acts for a company (the menu's "My working
    groups"); accepting an invitation signs the person in again, so it stays true."""
    request.session[REPRESENTS_KEY] = user.representations.exists()
