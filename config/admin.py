"""The admin site, signing staff in through the site's own login.

Django's admin login authenticates with `authenticate()` outside allauth:
no throttling, and a staff account's two-factor code is never asked for.
Its login URL therefore sends everyone to allauth's login (keeping `next`),
so staff go through the same throttles and the same 2FA stage as anyone.
"""

from urllib.parse import urlencode

from django.contrib import admin, messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


class StoryBankAdminSite(admin.AdminSite):
    @login_not_required
    def login(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        return admin_login(request, self)


@never_cache
@require_safe
def admin_login(request: HttpRequest, site: admin.AdminSite) -> HttpResponse:
    """Staff: on to `next`. Anyone else signed in: home, with a message (never a loop
    back through the login page). Not signed in: the site login, keeping `next`.

    Only GET and HEAD: a POST of a password here is refused (405), never checked.
    """
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = ""
    next_url = next_url or reverse("admin:index", current_app=site.name)
    if site.has_permission(request):
        return redirect(next_url)
    if request.user.is_authenticated:
        messages.error(request, "Your account has no access to the admin site.")
        return redirect("home")
    return redirect(f"{resolve_url('account_login')}?{urlencode({'next': next_url})}")
