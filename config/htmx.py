"""The site's one htmx rendering rule, and the typed request views take.

Every page that htmx swaps is one template whose swappable part is a named
partial (django-template-partials); an htmx request gets only that partial.
"""

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """A request that has passed through django-htmx's middleware (its documented typing)."""

    htmx: HtmxDetails


def template_for(request: HtmxHttpRequest, page: str, partial: str) -> str:
    """The whole page, or only its named partial for an htmx request."""
    return f"{page}#{partial}" if request.htmx else page
