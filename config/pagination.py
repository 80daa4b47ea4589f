"""The site's one pagination helper, for every paginated, filterable list."""

from django.http import HttpRequest


def query_without_page(request: HttpRequest) -> str:
    """The current filters as a query string, for page links to carry (without `page`)."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
