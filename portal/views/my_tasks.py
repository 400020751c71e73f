"""A person's start page: what waits for them now ("My tasks"), and where they work."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from klimaalliance.private_pages import private_page

from .. import my_tasks


@require_GET
@login_required
@private_page
def task_list(request):
    """Every task of the signed-in person across alliances and companies; the start page
    after signing in. A fixed number of queries however many tasks there are."""
    user = request.user
    tasks = my_tasks.tasks_for(user, language=get_language())
    context = {
        "tasks": tasks,
        # The menu's count is this list's length: no second query for it on this page.
        "my_task_count": len(tasks),
        "representations": list(
            user.representations.select_related("company").order_by("company__legal_name")
        ),
    }
    return render(request, "portal/my_tasks.html", context)
