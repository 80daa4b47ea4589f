"""Per page: its SQL queries, and where one request's time goes (database, template, Python).

Run by bench/run.py after the load test, with the same production environment
and database, through Django's test client in this process, one request at a
time (so no queueing, no network, no gunicorn):

- queries: one request inside CaptureQueriesContext, after a warm-up request;
- the split, averaged over --requests requests:
  database = time inside cursor.execute (a connection.execute_wrapper), which
  includes PostgreSQL's work and the transfer of the rows, not their conversion
  to Python objects; template = time inside the outermost template render,
  less the querysets evaluated from inside it (their queries and the building
  of their objects); Python = the rest (middleware, view code, forms, building
  model instances from rows, prefetching, the test client itself).

    .venv/bin/python bench/profile_pages.py --data var/bench/data.json \\
        --pages var/bench/pages.json [--cprofile "/practice/sessions/<pk>/"]

With --cprofile PAGE it also prints that page's most expensive functions
(cProfile, by own and by cumulative time), and with --show-queries PAGE each of
its queries with its time, to standard error.
"""

import argparse
import cProfile
import json
import os
import pstats
import sys
from pathlib import Path
from time import perf_counter
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
ORIGIN = "https://127.0.0.1"


class Split:
    """Accumulates database and template time for the request in flight."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.db = 0.0
        self.template = 0.0
        self.orm_in_template = 0.0
        self.queries = 0
        self.depth = 0
        self.fetching = False
        self.log: list[tuple[float, str]] | None = None

    def execute(self, execute, sql, params, many, context):
        start = perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = perf_counter() - start
            self.db += elapsed
            self.queries += 1
            if self.log is not None:
                self.log.append((elapsed, sql))

    def wrap_render(self, render):
        """Time only the outermost render: includes, partials and widgets happen inside it."""

        def timed(template, context=None, request=None):
            if self.depth:
                return render(template, context, request)
            self.depth += 1
            db_before, orm_before, start = self.db, self.orm_in_template, perf_counter()
            try:
                return render(template, context, request)
            finally:
                self.depth -= 1
                elapsed = perf_counter() - start
                self.template += (
                    elapsed - (self.db - db_before) - (self.orm_in_template - orm_before)
                )

        return timed

    def wrap_fetch(self, fetch):
        """A queryset evaluated lazily from a template builds its objects there: that is
        ORM work (counted as Python), not rendering."""

        def timed(queryset):
            if not self.depth or self.fetching:
                return fetch(queryset)
            self.fetching = True
            db_before, start = self.db, perf_counter()
            try:
                return fetch(queryset)
            finally:
                self.fetching = False
                self.orm_in_template += perf_counter() - start - (self.db - db_before)

        return timed


def make_client(data: dict, page: dict):
    from django.test import Client

    client = Client(enforce_csrf_checks=True, HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
    if page["signed_in"]:
        for cookie in (data["session_cookie"], data["csrf_cookie"]):
            client.cookies[cookie["name"]] = cookie["value"]
    return client


def send(client, page: dict, data: dict):
    if page["method"] == "POST":
        response = client.post(
            page["path"],
            urlencode(page["form"], doseq=True),
            content_type="application/x-www-form-urlencoded",
            secure=True,
            headers={
                "X-CSRFToken": data["csrf_cookie"]["value"],
                "Origin": ORIGIN,
                "Referer": ORIGIN + "/bank/",
            },
        )
    else:
        response = client.get(page["path"], secure=True)
    if response.status_code != page["expected"]:
        raise SystemExit(f"{page['name']} answered {response.status_code}, not {page['expected']}")
    return response


def measure(page: dict, data: dict, split: Split, requests: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = make_client(data, page)
    send(client, page, data)  # warm: imports, template loading, connection
    with CaptureQueriesContext(connection) as captured:
        send(client, page, data)
    queries = len(captured)  # now: the next request's start clears the log it reads
    total = db = template = 0.0
    for _ in range(requests):
        split.reset()
        start = perf_counter()
        send(client, page, data)
        total += perf_counter() - start
        db += split.db
        template += split.template
    return {
        "page": page["name"],
        "queries": queries,
        "total_ms": 1000 * total / requests,
        "db_ms": 1000 * db / requests,
        "template_ms": 1000 * template / requests,
        "python_ms": 1000 * (total - db - template) / requests,
    }


def explain(page: dict, data: dict, split: Split, args) -> None:
    """For one page: its queries with their times, and/or its functions (cProfile)."""
    client = make_client(data, page)
    send(client, page, data)  # a new client sets up the middleware (whitenoise scans files)
    if page["name"] == args.show_queries:
        split.reset()
        split.log = []
        send(client, page, data)
        for elapsed, sql in split.log:
            print(f"{1000 * elapsed:7.2f} ms  {sql[:160]}", file=sys.stderr)
        split.log = None
    if page["name"] == args.cprofile:
        profiler = cProfile.Profile()
        for _ in range(max(1, args.requests)):
            profiler.runcall(send, client, page, data)
        stats = pstats.Stats(profiler, stream=sys.stderr)
        stats.sort_stats("tottime").print_stats(25)
        stats.sort_stats("cumulative").print_stats(50)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="bench_data's JSON")
    parser.add_argument("--pages", required=True, help="the pages, as bench/run.py writes them")
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--json-out")
    parser.add_argument("--cprofile", metavar="PAGE", help="also profile this page's functions")
    parser.add_argument("--show-queries", metavar="PAGE", help="also list this page's queries")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection
    from django.db.models.query import QuerySet
    from django.template.backends.django import Template

    data = json.loads(Path(args.data).read_text())
    pages = json.loads(Path(args.pages).read_text())
    split = Split()
    Template.render = split.wrap_render(Template.render)
    QuerySet._fetch_all = split.wrap_fetch(QuerySet._fetch_all)
    rows = []
    with connection.execute_wrapper(split.execute):
        for page in pages:
            rows.append(measure(page, data, split, max(1, args.requests)))
            if page["name"] in (args.cprofile, args.show_queries):
                explain(page, data, split, args)
    text = json.dumps(rows, indent=2)
    if args.json_out:
        Path(args.json_out).write_text(text + "\n")
    else:
        print(text)


if __name__ == "__main__":
    main()
