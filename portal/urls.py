"""The root URLconf: every app's pages under one roof.

Only this package (the roof) imports from every app; the apps never import it.
"""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap as sitemap_view
from django.urls import include, path

from companies import representative_urls as companies_my_urls
from companies.views import invitations, join, stories
from emissions.views import dashboard as emissions_dashboard
from emissions.views import results as emissions_results
from klimaalliance import urls as core_urls
from network.views import cases as network_cases
from network.views import events as network_events
from network.views import groups as network_groups
from network.views import papers as network_papers
from partnerships.views import public as partnerships_public

from .sitemaps import SITEMAPS
from .views import api_docs, calendars, media, my_company, my_tasks, pages, partners

# A representative's own company page shows figures of every app, so the roof serves it;
# the rest of the `my` namespace comes from the companies app.
my_patterns = [
    path("companies/<int:pk>/", my_company.company_detail, name="company-detail"),
    *companies_my_urls.urlpatterns,
]

urlpatterns = [
    *core_urls.plain_patterns,
    # Public uploads only; private files have no URL (klimaalliance/storage.py).
    path("media/<path:path>", media.public_media, name="media"),
    path("sitemap.xml", sitemap_view, {"sitemaps": SITEMAPS}, name="sitemap"),
    # Calendar apps fetch these: no language prefix, no sign-in.
    path("calendar/<str:token>.ics", calendars.personal_feed, name="calendar-feed"),
    path("networks/<slug:slug>/events.ics", calendars.network_feed, name="network-events-feed"),
    path("<slug:alliance_slug>/events.ics", calendars.alliance_feed, name="alliance-events-feed"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("api.urls")),
]

urlpatterns += i18n_patterns(
    path("", pages.home, name="home"),
    path("progress.svg", pages.progress_chart, name="progress-chart"),
    path("accounts/", include(core_urls.auth_patterns)),
    path("privacy/", pages.privacy, name="privacy"),
    path("open-data/", api_docs.api_docs, name="api-docs"),
    *core_urls.page_patterns,
    path("my/tasks/", my_tasks.task_list, name="my-tasks"),
    path("my/calendar/", calendars.feed_address, name="calendar-address"),
    path("my/", include((my_patterns, "my"))),
    path("my/agreements/", include("partnerships.representative_urls")),
    path("verify/", partnerships_public.verify, name="verify"),
    path("my/groups/", include("network.my_urls")),
    path("my/emissions/", include("emissions.urls_my")),
    path("inspiration/", network_cases.case_list, name="case-list"),
    path("inspiration/<int:case_id>/", network_cases.case_detail, name="case-detail"),
    path(
        "inspiration/forms/<slug:form>/",
        network_cases.partnership_form_detail,
        name="partnership-form",
    ),
    path("networks/", network_cases.network_list, name="network-list"),
    path("networks/<slug:slug>/", network_cases.network_detail, name="network-detail"),
    path("invitation/<str:token>/", invitations.invitation_accept, name="invitation-accept"),
    path("<slug:alliance_slug>/staff/", pages.staff_dashboard, name="staff-dashboard"),
    path("<slug:alliance_slug>/staff/companies/", include("companies.urls")),
    path("<slug:alliance_slug>/staff/agreements/", include("partnerships.urls")),
    path("<slug:alliance_slug>/staff/groups/", include("network.staff_urls")),
    path("<slug:alliance_slug>/staff/emissions/", include("emissions.urls_staff")),
    path("<slug:alliance_slug>/partners/", partners.partner_list, name="partner-list"),
    path(
        "<slug:alliance_slug>/partners/<str:cvr>/", partners.partner_detail, name="partner-detail"
    ),
    path(
        "<slug:alliance_slug>/partners/<str:cvr>/emissions.svg",
        emissions_dashboard.public_company_chart,
        name="partner-emissions-chart",
    ),
    path("<slug:alliance_slug>/embed/", partners.partner_embed, name="partner-embed"),
    path("<slug:alliance_slug>/groups/", network_groups.public_group_list, name="group-list"),
    path(
        "<slug:alliance_slug>/groups/<int:pk>/",
        network_groups.public_group_detail,
        name="group-detail",
    ),
    path(
        "<slug:alliance_slug>/groups/<int:pk>/documents/<int:document_id>/",
        network_groups.public_document_download,
        name="group-document",
    ),
    path(
        "<slug:alliance_slug>/groups/papers/<int:paper_id>/pdf/",
        network_papers.public_paper_pdf,
        name="paper-pdf",
    ),
    path("<slug:alliance_slug>/stories/", stories.public_story_list, name="story-list"),
    path("<slug:alliance_slug>/stories/feed/", stories.StoryFeed(), name="story-feed"),
    path(
        "<slug:alliance_slug>/stories/<int:pk>/", stories.public_story_detail, name="story-detail"
    ),
    path("<slug:alliance_slug>/events/", network_events.event_list, name="event-list"),
    path("<slug:alliance_slug>/events/feed/", network_events.EventFeed(), name="event-feed"),
    path("<slug:alliance_slug>/events/<int:pk>/", network_events.event_detail, name="event-detail"),
    path("<slug:alliance_slug>/join/", join.join, name="join"),
    path("<slug:alliance_slug>/join/thanks/", join.join_thanks, name="join-thanks"),
    path(
        "<slug:alliance_slug>/progress.svg",
        pages.alliance_progress_chart,
        name="alliance-progress-chart",
    ),
    path(
        "<slug:alliance_slug>/results.pdf",
        emissions_results.public_results_pdf,
        name="results-pdf",
    ),
    path("<slug:alliance_slug>/", pages.alliance_detail, name="alliance-detail"),
    prefix_default_language=False,
)
