"""The roof's navigation needs: how many tasks wait for the signed-in person."""

from django.utils.functional import SimpleLazyObject

from . import my_tasks


def tasks(request):
    """`my_task_count` for signed-in people (one query, only when a page shows it);
    nothing at all for anonymous visitors, so public pages stay as they are."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"my_task_count": SimpleLazyObject(lambda: my_tasks.task_count(user))}
