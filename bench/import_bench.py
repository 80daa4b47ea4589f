"""Import benchmark: 2,000 stories (the documented cap) through the import pages.

    make bench-import               # or: .venv/bin/python bench/import_bench.py
    BENCH_IMPORT_STORIES=500 make bench-import

Starts the load benchmark's own embedded PostgreSQL (var/bench-postgres, never
the development database; see bench/run.py), migrates it, then in a child
process with production settings generates a JSON export and a CSV story
matrix of BENCH_IMPORT_STORIES stories (default 2,000, the cap) of 300–450
words each, written like the load benchmark's stories (bench_data's text and
tags), and posts each file through the real views with Django's test client,
as a signed-in user: the JSON upload (which imports at once), then the CSV
upload (the preview) and its confirmation (the import). Each import starts
from an empty bank, so no title is renamed. It prints the seconds of each
request and the stories written; gunicorn kills a worker after 30 s, so that
is the ceiling, and the README's target is 10 s on two cores.
"""

import json
import os
import subprocess
import sys
from pathlib import Path
from time import perf_counter

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
EMAIL = "bench-import@bench.example"


# 2,000 bench stories of 300–450 words make a 7.8 MB export, over the 5 MB cap: each
# story is cut to this many words, so that 2,000 of them fit in one file (4.5 MB).
WORDS = 150


def words_cut(answers: list[dict], budget: int) -> list[dict]:
    """The answers, in order, cut after `budget` words in all (every section kept)."""
    share = max(1, budget // max(1, len(answers)))
    return [{**answer, "text": " ".join(answer["text"].split()[:share])} for answer in answers]


def stories_wanted() -> int:
    raw = os.environ.get("BENCH_IMPORT_STORIES") or "2000"
    if not raw.isdigit() or not 1 <= int(raw) <= 2000:
        sys.exit(f"BENCH_IMPORT_STORIES must be a whole number from 1 to 2000, not {raw!r}")
    return int(raw)


def files(count: int) -> tuple[bytes, bytes]:
    """(JSON export, CSV matrix) of `count` bench stories."""
    import csv
    import io

    from bench.data import Catalogue, planned_story
    from stories.star import SECTIONS, sections_from_answers
    from stories.transfer import FORMAT, document_dumps

    catalogue = Catalogue()
    stories = []
    for index in range(count):
        planned = planned_story(99, index, catalogue)
        tags = planned["tags"]
        answers = words_cut(planned["answers"], WORDS)
        stories.append(
            {
                "ref": f"story-{index}",
                "title": planned["title"],
                "template": planned["template"].slug,
                "status": planned["status"],
                "answers": answers,
                "metrics": planned["metrics"],
                **tags.slugs(),
                "kind": tags.kind.slug if tags.kind else None,
            }
        )
    document = document_dumps({"format": FORMAT, "stories": stories}).encode("utf-8")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["title", *SECTIONS, "metrics", "status", "principles", "themes"])
    names = {
        "principles": {p.slug: p.name for p in catalogue.principles},
        "themes": {t.slug: t.name for t in catalogue.themes},
    }
    for story in stories:
        sections = sections_from_answers(story["answers"])
        writer.writerow(
            [
                story["title"],
                *(sections[name] for name in SECTIONS),
                story["metrics"],
                story["status"],
                "; ".join(names["principles"][slug] for slug in story["principles"]),
                "; ".join(names["themes"][slug] for slug in story["themes"]),
            ]
        )
    return document, out.getvalue().encode("utf-8")


def timed_post(client, url: str, data: dict) -> tuple[float, object]:
    """One request's wall time; with BENCH_IMPORT_PROFILE=1, its costliest functions too."""
    profiler = None
    if os.environ.get("BENCH_IMPORT_PROFILE"):
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    from django.db import connection

    queries: list[tuple[float, str]] = []

    def timed(execute, sql, params, many, context):
        begun = perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            queries.append((perf_counter() - begun, sql[:90]))

    start = perf_counter()
    with connection.execute_wrapper(timed):
        response = client.post(url, data, secure=True)
    seconds = perf_counter() - start
    if profiler is not None:
        import pstats

        print(f"{len(queries)} queries, {sum(q for q, _ in queries):.2f} s:", file=sys.stderr)
        for took, sql in sorted(queries, reverse=True)[:8]:
            print(f"  {took:6.3f} s  {sql}", file=sys.stderr)

        profiler.disable()
        pstats.Stats(profiler, stream=sys.stderr).sort_stats(
            os.environ.get("BENCH_IMPORT_PROFILE_SORT", "cumulative")
        ).print_stats(30)
    return seconds, response


def inner() -> None:
    """In the child process: Django with production settings and the bench database."""
    import re

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from django.urls import reverse

    from stories.models import Story

    count = stories_wanted()
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    user, _ = get_user_model().objects.get_or_create(
        email=EMAIL, defaults={"username": "bench-import"}
    )
    client = Client(HTTP_X_FORWARDED_PROTO="https")
    client.force_login(user)
    document, matrix = files(count)
    rows = []

    Story.with_trash.filter(owner=user).delete()
    seconds, response = timed_post(
        client,
        reverse("stories:transfer_import_json"),
        {"json-file": SimpleUploadedFile("b.json", document)},
    )
    imported = Story.objects.for_user(user).count()
    problems = response.content.decode().partition("Nothing was imported")[2][:600]
    assert response.status_code == 302 and imported == count, (response.status_code, problems)
    rows.append(("JSON upload (imports)", len(document), seconds, imported))

    Story.with_trash.filter(owner=user).delete()
    url = reverse("stories:transfer_import_csv")
    seconds, response = timed_post(client, url, {"csv-file": SimpleUploadedFile("m.csv", matrix)})
    assert response.status_code == 200, response.status_code
    rows.append(("CSV upload (preview)", len(matrix), seconds, 0))
    token = re.search(r'name="token" value="([^"]+)"', response.content.decode()).group(1)
    seconds, response = timed_post(client, url, {"token": token})
    imported = Story.objects.for_user(user).count()
    assert response.status_code == 302 and imported == count, (response.status_code, imported)
    rows.append(("CSV confirm (imports)", len(matrix), seconds, imported))
    Story.with_trash.filter(owner=user).delete()

    print(f"Import of {count:,} stories on {os.cpu_count()} cores, one request at a time:")
    print("\n| request | file | seconds | stories written |\n|---|---:|---:|---:|")
    for name, size, seconds, written in rows:
        print(f"| {name} | {size / 1024 / 1024:.1f} MB | {seconds:.2f} | {written:,} |")
    print(json.dumps({name: round(seconds, 2) for name, _, seconds, _ in rows}), file=sys.stderr)


def main() -> None:
    from bench.run import log, manage, production_env, start_postgres, use_the_venv

    use_the_venv()
    server = None
    try:
        log("starting the bench PostgreSQL")
        server, database_url = start_postgres()
        env = production_env(database_url)
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "createcachetable")
        manage(env, "collectstatic", "--noinput", "-v0")  # the pages use the manifest
        log("import benchmark: generating the files and importing them")
        done = subprocess.run(
            [sys.executable, __file__, "--inner"], cwd=ROOT, env=env, timeout=900, check=False
        )
        if done.returncode != 0:
            sys.exit(f"the import benchmark failed ({done.returncode})")
    finally:
        if server is not None:
            log("stopping the bench PostgreSQL")
            server.leave()


if __name__ == "__main__":
    inner() if sys.argv[1:] == ["--inner"] else main()
