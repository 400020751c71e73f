"""Partner stories: representatives write, staff approve, everyone reads (and subscribes)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.syndication.views import Feed
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from klimaalliance.caching import public_page
from klimaalliance.models import Alliance
from klimaalliance.permissions import alliance_staff_required

from .. import access, services
from ..forms import StoryForm, StoryReviewForm
from ..models import Story

PUBLIC_COUNT = 20
REVIEWED_COUNT = 30  # on the staff's review page


def published(alliance):
    """Approved stories, newest first, with what a page or the feed shows of them (the
    alliance for each story's link)."""
    return Story.objects.filter(alliance=alliance, status=Story.Status.APPROVED).select_related(
        "company", "alliance"
    )


@login_required
def story_create(request, pk):
    company = access.represented_company(request.user, pk)
    form = StoryForm(request.POST or None, request.FILES or None, company=company)
    if request.method == "POST" and form.is_valid():
        services.story_submit(story=form.save(commit=False), company=company, by=request.user)
        messages.success(
            request,
            _("Thank you! The story is published once the alliance's staff have approved it."),
        )
        return redirect("my:company-detail", pk=company.pk)
    return render(request, "companies/story_form.html", {"company": company, "form": form})


@alliance_staff_required
def story_list(request):
    stories = Story.objects.filter(alliance=request.alliance).select_related("company")
    return render(
        request,
        "companies/story_review_list.html",
        {
            "alliance": request.alliance,
            "pending": stories.filter(status=Story.Status.SUBMITTED),
            "reviewed": stories.exclude(status=Story.Status.SUBMITTED)[:REVIEWED_COUNT],
            "form": StoryReviewForm(),
        },
    )


@alliance_staff_required
@require_POST
def story_review(request, story_id):
    story = get_object_or_404(Story, pk=story_id, alliance=request.alliance)
    form = StoryReviewForm(request.POST)
    if form.is_valid():
        try:
            services.story_review(
                story=story,
                by=request.user,
                approve=form.cleaned_data["decision"] == "approve",
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The story was reviewed."))
    else:
        messages.error(request, _("Choose whether to publish the story."))
    return redirect("companies:story-list", request.alliance.slug)


def _alliance(request, alliance_slug):
    request.alliance = get_object_or_404(Alliance, slug=alliance_slug)
    return request.alliance


@require_GET
@public_page
def public_story_list(request, alliance_slug):
    alliance = _alliance(request, alliance_slug)
    return render(
        request,
        "companies/story_list.html",
        {"alliance": alliance, "stories": published(alliance)[:PUBLIC_COUNT]},
    )


@require_GET
@public_page
def public_story_detail(request, alliance_slug, pk):
    alliance = _alliance(request, alliance_slug)
    story = get_object_or_404(published(alliance), pk=pk)
    return render(request, "companies/story_detail.html", {"alliance": alliance, "story": story})


class StoryFeed(Feed):
    """RSS of an alliance's newest published stories."""

    def get_object(self, request, alliance_slug):
        return get_object_or_404(Alliance, slug=alliance_slug)

    def title(self, alliance):
        return _("Climate stories from %(alliance)s") % {"alliance": alliance.name}

    def link(self, alliance):
        return reverse("story-list", args=[alliance.slug])

    def description(self, alliance):
        return _("What the partners of %(alliance)s do for the climate.") % {
            "alliance": alliance.name
        }

    def items(self, alliance):
        return published(alliance)[:PUBLIC_COUNT]

    def item_title(self, story):
        return f"{story.company.name}: {story.title}"

    def item_description(self, story):
        return story.text

    def item_pubdate(self, story):
        return story.published_at
