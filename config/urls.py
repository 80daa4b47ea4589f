"""Root URLs: one include per app, plus the site-wide pages."""

from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from config import views

handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"
handler429 = "config.views.too_many_requests"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/login/", views.login, name="account_login"),
    # allauth.mfa's code pages, answering 429 once the attempts are spent (see config/views.py).
    path("accounts/2fa/authenticate/", views.mfa_authenticate, name="mfa_authenticate"),
    path("accounts/2fa/reauthenticate/", views.mfa_reauthenticate, name="mfa_reauthenticate"),
    path("accounts/", include("allauth.urls")),
    path("account/delete/", views.account_delete_view, name="account_delete"),
    path("admin/", admin.site.urls),
    # The addresses transfer and account deletion had until December 2026, kept for bookmarks.
    path(
        "bank/data/delete-account/",
        RedirectView.as_view(pattern_name="account_delete", permanent=True),
        name="account_delete_moved",
    ),
    re_path(
        r"^bank/data/(?P<rest>.*)$",
        RedirectView.as_view(url="/bank/transfer/%(rest)s", permanent=True, query_string=True),
        name="transfer_moved",
    ),
    path("bank/", include("stories.urls")),
    path("catalogue/", include("principles.urls")),
    path("practice/", include("practice.urls")),
]
