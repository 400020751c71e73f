from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.sitemaps.views import sitemap as sitemap_view
from django.urls import include, path
from django.views.static import serve

from companies.views import invitations, stories
from emissions.views import dashboard as emissions_dashboard
from network.views import cases as network_cases
from network.views import groups as network_groups
from network.views import papers as network_papers
from partnerships.views import partners
from partnerships.views import public as partnerships_public

from . import sign_in_views, views
from .sitemaps import SITEMAPS

auth_patterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "password/reset/",
        auth_views.PasswordResetView.as_view(
            html_email_template_name="registration/password_reset_email.html",
            email_template_name="registration/password_reset_email.txt",
        ),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("after-login/", views.after_login, name="after-login"),
    path("me/", views.my_account, name="my-account"),
    path("two-factor/", sign_in_views.two_factor_verify, name="two-factor-verify"),
    path("two-factor/setup/", sign_in_views.two_factor_setup, name="two-factor-setup"),
    path("two-factor/off/", sign_in_views.two_factor_disable, name="two-factor-disable"),
]

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots-txt"),
    path("sitemap.xml", sitemap_view, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("api.urls")),
    path("ops/workers/", views.worker_status, name="worker-status"),
]

urlpatterns += i18n_patterns(
    path("", views.home, name="home"),
    path("accounts/", include(auth_patterns)),
    path("accessibility/", views.accessibility_statement, name="accessibility"),
    path("privacy/", views.privacy, name="privacy"),
    path("my/", include("companies.representative_urls")),
    path("my/agreements/", include("partnerships.representative_urls")),
    path("verify/", partnerships_public.verify, name="verify"),
    path("my/groups/", include("network.my_urls")),
    path("my/emissions/", include("emissions.urls_my")),
    path("inspiration/", network_cases.case_list, name="case-list"),
    path("inspiration/<int:case_id>/", network_cases.case_detail, name="case-detail"),
    path("networks/", network_cases.network_list, name="network-list"),
    path("networks/<slug:slug>/", network_cases.network_detail, name="network-detail"),
    path("invitation/<str:token>/", invitations.invitation_accept, name="invitation-accept"),
    path("<slug:alliance_slug>/staff/", views.staff_dashboard, name="staff-dashboard"),
    path(
        "<slug:alliance_slug>/staff/sign-in-lockouts/",
        sign_in_views.lockout_list,
        name="staff-lockouts",
    ),
    path(
        "<slug:alliance_slug>/staff/sign-in-lockouts/unlock/",
        sign_in_views.lockout_unlock,
        name="staff-lockout-unlock",
    ),
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
    path("<slug:alliance_slug>/", views.alliance_detail, name="alliance-detail"),
    prefix_default_language=False,
)

if settings.DEBUG:
    urlpatterns += [path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT})]
