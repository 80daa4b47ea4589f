"""Root URLs: one include per app, plus the site-wide pages."""

from django.contrib import admin
from django.urls import include, path

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
    path("admin/", admin.site.urls),
    path("bank/", include("stories.urls")),
    path("catalogue/", include("principles.urls")),
    path("practice/", include("practice.urls")),
]
