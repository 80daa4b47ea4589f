"""Site-wide middleware."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers


def private_no_store(get_response: Callable[[HttpRequest], HttpResponse]):
    """Every response to a signed-in user is `Cache-Control: private, no-store`.

    A story bank is private: a shared proxy must not keep a copy, and after
    logout on a shared computer the back button must not show it from the
    browser's cache. Exports (/bank/transfer/) are signed-in responses too.
    Pages for anonymous visitors keep whatever their view sends.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
            patch_vary_headers(response, ["Cookie"])
        return response

    return middleware
