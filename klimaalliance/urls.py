"""The core's own pages: sign-in and account, health, robots.txt and the worker status.

The root URLconf is `portal.urls`, which includes these next to every app's pages.
"""

from django.contrib.auth import views as auth_views
from django.urls import path

from . import sign_in_views, views

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
        sign_in_views.PasswordResetView.as_view(),
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
    path("me/notifications/", views.notification_preferences, name="notification-preferences"),
    path(
        "notifications/<str:token>/",
        views.notification_preferences_link,
        name="notification-preferences-link",
    ),
    path("two-factor/", sign_in_views.two_factor_verify, name="two-factor-verify"),
    path("two-factor/setup/", sign_in_views.two_factor_setup, name="two-factor-setup"),
    path("two-factor/off/", sign_in_views.two_factor_disable, name="two-factor-disable"),
]

# Outside the language prefix: machine-read or for the platform administrator only.
plain_patterns = [
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots-txt"),
    path("ops/workers/", views.worker_status, name="worker-status"),
]

# Under the language prefix, next to the apps' pages.
page_patterns = [
    path("accessibility/", views.accessibility_statement, name="accessibility"),
    path("<slug:alliance_slug>/staff/contact/", views.alliance_contact, name="staff-contact"),
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
]
