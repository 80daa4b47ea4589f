"""The transfer pages ("Your data"): exports and the JSON and CSV imports."""

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from principles.models import Principle
from stories.models import Story
from stories.transfer import MAX_DOCUMENT_BYTES, document_dumps
from stories.transfer.services import bank_export
from tests.stories.test_transfer_services import make_bank, write_story

pytestmark = pytest.mark.django_db

TRANSFER = reverse("stories:transfer")
EXPORT_JSON = reverse("stories:transfer_export_json")
EXPORT_MARKDOWN = reverse("stories:transfer_export_markdown")
CHEAT_SHEET = reverse("stories:transfer_cheat_sheet")
IMPORT_JSON = reverse("stories:transfer_import_json")
IMPORT_CSV = reverse("stories:transfer_import_csv")
ACCOUNT_DELETE = reverse("account_delete")

CSV = (
    "title,situation,task,action,result,learning,metrics,status,Ownership,principles\n"
    'Payments fallback,Checkout failed,Fix it,"I traced it, then I built it.",0.4%,Money first,'
    "5% → 0.4%,ready,x,Dive Deep\n"
    "Hiring loop,A team,Grow it,I coached,Two promoted,Patience,,,,\n"
)


def upload(name: str, content: bytes | str) -> SimpleUploadedFile:
    data = content.encode("utf-8") if isinstance(content, str) else content
    return SimpleUploadedFile(name, data)


def token_in(response) -> str:
    return re.search(r'name="token" value="([^"]+)"', response.content.decode()).group(1)


def exported(user) -> str:
    return document_dumps(bank_export(user=user))


# --- Access ------------------------------------------------------------------------


def test_the_transfer_page_offers_every_export_every_import_and_leaving(user_client, user):
    write_story(user, "Payments fallback")
    page = user_client.get(TRANSFER).content.decode()
    for url in (EXPORT_JSON, EXPORT_MARKDOWN, CHEAT_SHEET, IMPORT_JSON, IMPORT_CSV, ACCOUNT_DELETE):
        assert f'"{url}"' in page
    assert "Your bank holds 1 story" in page


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", TRANSFER),
        ("get", EXPORT_JSON),
        ("get", EXPORT_MARKDOWN),
        ("get", CHEAT_SHEET),
        ("post", IMPORT_JSON),
        ("post", IMPORT_CSV),
    ],
)
def test_an_anonymous_visitor_is_sent_to_log_in(client, method, url):
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("post", EXPORT_JSON),
        ("post", EXPORT_MARKDOWN),
        ("post", CHEAT_SHEET),
        ("post", TRANSFER),
        ("get", IMPORT_JSON),
        ("get", IMPORT_CSV),
    ],
)
def test_the_wrong_method_is_405(user_client, method, url):
    assert getattr(user_client, method)(url).status_code == 405


# --- Exports -----------------------------------------------------------------------


def test_the_json_export_downloads_the_whole_bank_and_nothing_of_anyone_else(
    user_client, user, other_user
):
    write_story(user, "Payments fallback")
    write_story(other_user, "Their secret launch")
    response = user_client.get(EXPORT_JSON)
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="story-bank-{timezone.localdate():%Y-%m-%d}.json"'
    )
    document = json.loads(response.content)
    assert document["format"] == "storybank/1"
    assert [s["title"] for s in document["stories"]] == ["Payments fallback"]
    assert "Their secret launch" not in response.content.decode()


def test_the_markdown_export_is_one_readable_document(user_client, user):
    write_story(user, "Payments fallback")
    response = user_client.get(EXPORT_MARKDOWN)
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="story-bank-')
    text = response.content.decode()
    assert "## Payments fallback" in text
    assert "Principles: Ownership, Dive Deep" in text or "Principles: Dive Deep, Ownership" in text
    assert "- **5% → 0.4% failed payments**" in text


def test_the_cheat_sheet_prints_one_story_per_page_with_metrics_in_bold(
    user_client, user, other_user
):
    write_story(user, "Payments fallback")
    trashed = write_story(user, "Old story in the trash")
    Story.with_trash.filter(pk=trashed.pk).update(deleted_at=timezone.now())
    write_story(other_user, "Their secret launch")
    page = user_client.get(CHEAT_SHEET).content.decode()
    assert page.count('data-testid="cheat-sheet-story"') == 1
    assert "Payments fallback" in page and "Ownership" in page
    assert "<strong>5% → 0.4% failed payments</strong>" in page
    assert "css/print.css" in page and "js/print.js" in page and "data-print" in page
    assert "Old story in the trash" not in page and "Their secret launch" not in page
    assert "style=" not in page and "<script>" not in page  # the CSP forbids inline code


# Each page: session, user and the request's savepoint (4), the stories with their
# tags (4), then the practice history (3) or the catalogue's names (5).
@pytest.mark.parametrize(
    ("url", "queries"), [(EXPORT_JSON, 11), (EXPORT_MARKDOWN, 13), (CHEAT_SHEET, 8)]
)
def test_exports_run_the_same_number_of_queries_for_1_and_50_stories(
    url, queries, user, other_user, django_assert_num_queries
):
    make_bank(user, 1)
    make_bank(other_user, 50)
    for owner, size in ((user, 1), (other_user, 50)):
        client = Client()
        client.force_login(owner)
        with django_assert_num_queries(queries):
            response = client.get(url)
        assert response.content.decode().count(f"of {owner.username}") >= size


# --- Importing JSON ------------------------------------------------------------------


def test_an_export_uploaded_into_another_account_lands_in_its_bank(
    user_client, user, other_user, other_client
):
    make_bank(user, 2)
    response = other_client.post(
        IMPORT_JSON, {"json-file": upload("bank.json", exported(user))}, follow=True
    )
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("stories:bank")
    assert "Imported 2 stories, 2 practice sessions." in page
    assert f"Story 0 of {user.username}" in page
    assert Story.objects.for_user(other_user).count() == 2


def test_malformed_json_is_explained_and_nothing_is_saved(user_client, user):
    response = user_client.post(IMPORT_JSON, {"json-file": upload("bank.json", '{"format": ')})
    page = response.content.decode()
    assert "Nothing was imported." in page
    assert "The file is not valid JSON" in page
    assert not Story.with_trash.filter(owner=user).exists()


def test_every_problem_of_a_bad_document_is_listed(user_client, user):
    document = {
        "format": "storybank/1",
        "stories": [{"title": "Good"}, {"title": "Bad", "status": "done"}, {"title": ""}],
    }
    page = user_client.post(
        IMPORT_JSON, {"json-file": upload("bank.json", json.dumps(document))}
    ).content.decode()
    assert "2 problems need fixing" in page
    assert "Story 2 (“Bad”), “status”: “done” is not one of draft, ready, polished." in page
    assert "Story 3, “title”: is required and is empty." in page
    assert not Story.with_trash.filter(owner=user).exists()


def test_a_file_over_the_cap_is_refused_with_its_size(user_client, user):
    big = upload("bank.json", b" " * (MAX_DOCUMENT_BYTES + 1))
    page = user_client.post(IMPORT_JSON, {"json-file": big}).content.decode()
    assert "The file is 5.0 MB; an import can be at most 5 MB." in page
    assert not Story.with_trash.filter(owner=user).exists()


def unknown_tag_export(user) -> str:
    write_story(user, "Payments fallback")
    document = bank_export(user=user)
    document["stories"][0]["principles"].append("be-vocally-self-critical")
    return document_dumps(document)


def test_unknown_tags_ask_first_then_import_without_them(user, other_user, other_client):
    text = unknown_tag_export(user)
    response = other_client.post(IMPORT_JSON, {"json-file": upload("bank.json", text)})
    page = response.content.decode()
    assert "Some tags are not on this server" in page
    assert "be-vocally-self-critical" in page
    assert not Story.objects.for_user(other_user).exists()  # nothing before the go-ahead

    response = other_client.post(IMPORT_JSON, {"token": token_in(response)}, follow=True)
    assert "Imported 1 story" in response.content.decode()
    [story] = Story.objects.for_user(other_user)
    assert sorted(story.principles.values_list("slug", flat=True)) == ["dive-deep", "ownership"]


def test_a_confirmation_imports_once_even_when_sent_twice(user, other_user, other_client):
    response = other_client.post(
        IMPORT_JSON, {"json-file": upload("bank.json", unknown_tag_export(user))}
    )
    token = token_in(response)
    other_client.post(IMPORT_JSON, {"token": token})
    again = other_client.post(IMPORT_JSON, {"token": token}, follow=True)
    assert "expired or was already imported" in again.content.decode()
    assert Story.objects.for_user(other_user).count() == 1


def test_nobody_else_can_confirm_your_pending_upload(user, user_client, other_user, other_client):
    response = user_client.post(
        IMPORT_JSON, {"json-file": upload("bank.json", unknown_tag_export(other_user))}
    )
    stolen = other_client.post(IMPORT_JSON, {"token": token_in(response)}, follow=True)
    assert "expired or was already imported" in stolen.content.decode()
    assert Story.objects.for_user(other_user).count() == 1  # only their original
    assert not Story.objects.for_user(user).exists()


# --- Importing a CSV story matrix ----------------------------------------------------


def test_a_csv_is_previewed_and_only_saved_on_confirmation(user_client, user):
    write_story(user, "Hiring loop")
    response = user_client.post(IMPORT_CSV, {"csv-file": upload("matrix.csv", CSV)})
    page = response.content.decode()
    assert "2 stories will be created" in page
    assert "Payments fallback" in page and "Dive Deep, Ownership" in page
    assert "Hiring loop (2)" in page and "you already have “Hiring loop”" in page
    assert Story.objects.for_user(user).count() == 1  # nothing yet

    response = user_client.post(IMPORT_CSV, {"token": token_in(response)}, follow=True)
    assert "Imported 2 stories" in response.content.decode()
    story = Story.objects.for_user(user).get(title="Payments fallback")
    assert story.status == "ready"
    assert story.action == "I traced it, then I built it."
    assert story.template.slug == "plain-star"
    assert sorted(story.principles.values_list("slug", flat=True)) == ["dive-deep", "ownership"]
    assert story.metric_list == ["5% → 0.4%"]


def test_a_csv_with_problems_names_rows_and_columns_and_saves_nothing(user_client, user):
    bad = CSV.replace(",ready,", ",done,").replace("Dive Deep", "Dive Deeper")
    page = user_client.post(IMPORT_CSV, {"csv-file": upload("matrix.csv", bad)}).content.decode()
    assert "Row 2, column “status”: “done” is not a status" in page
    assert "Row 2, column “principles”: “Dive Deeper” is not a principle on this server" in page
    assert not Story.objects.for_user(user).exists()


def test_a_csv_in_the_wrong_encoding_says_how_to_save_it(user_client, user):
    matrix = "title,situation,task,action,result,learning\nCafé,s,t,a,r,l\n".encode("cp1252")
    page = user_client.post(IMPORT_CSV, {"csv-file": upload("m.csv", matrix)}).content.decode()
    assert "The file is not UTF-8" in page and "CSV UTF-8" in page
    assert not Story.objects.for_user(user).exists()


def test_the_preview_is_not_trusted_the_file_is_checked_again_on_confirmation(user_client, user):
    response = user_client.post(IMPORT_CSV, {"csv-file": upload("matrix.csv", CSV)})
    Principle.objects.filter(slug="dive-deep").delete()  # the catalogue changed meanwhile
    page = user_client.post(IMPORT_CSV, {"token": token_in(response)}).content.decode()
    assert "“Dive Deep” is not a principle on this server" in page
    assert not Story.objects.for_user(user).exists()


# --- Files no export holds: refused with a reason, never a 500 -------------------------

STORY = '{"format": "storybank/1", "stories": [%s]}'
SURROGATE = "a lone UTF-16 surrogate"
TOO_DEEP = "nested too deeply"

# (JSON text, what the page must say): each of these was a 500 before.
BAD_JSON = {
    "huge integer as the format": ('{"format": %s}' % ("1" * 5000), "a number 5,000 digits long"),
    "huge integer under an unknown key": (
        '{"format": "storybank/1", "stories": [], "x": %s}' % ("2" * 4400),
        "a number 4,400 digits long",
    ),
    **{
        f"nested {depth} levels": (
            STORY % ('{"title": %s}' % ("[" * depth + "]" * depth)),
            TOO_DEEP,
        )
        for depth in (935, 936, 937)
    },
    "surrogate in a valid story's title": (STORY % '{"title": "Launch \\ud800"}', SURROGATE),
    "surrogate in a bad story's title": (
        STORY % '{"title": "Launch \\ud800", "status": "done"}',
        SURROGATE,
    ),
    "surrogate in the format": ('{"format": "storybank/\\ud800", "stories": []}', SURROGATE),
    "surrogate in a key": (STORY % '{"title": "Launch", "\\ud800": 1}', SURROGATE),
}


@pytest.mark.parametrize("case", sorted(BAD_JSON))
def test_a_json_file_no_export_holds_is_explained_and_nothing_is_saved(user_client, user, case):
    content, reason = BAD_JSON[case]
    response = user_client.post(IMPORT_JSON, {"json-file": upload("bank.json", content)})
    page = response.content.decode()
    assert response.status_code == 200  # the import page, with its list of problems
    assert "Nothing was imported." in page and reason in page
    assert not Story.with_trash.filter(owner=user).exists()


def test_the_same_document_without_the_bad_value_imports(user_client, user):
    """The positive control of the cases above: the page does import a good file."""
    content = STORY % '{"title": "Launch \\ud83d\\ude80", "status": "ready"}'  # a whole emoji
    response = user_client.post(IMPORT_JSON, {"json-file": upload("bank.json", content)})
    assert response.status_code == 302
    assert Story.objects.for_user(user).get().title == "Launch 🚀"


HEADER = "title,situation,task,action,result,learning"


@pytest.mark.parametrize(
    "content",
    [
        f"{HEADER}\rLaunch,s,t,a,r,l\rHiring,s,t,a,r,l\r",  # CR only (classic Mac)
        f'{HEADER}\r\nLaunch,s,t,"a\rb",r,l\rHiring,s,t,a,r,l\n',  # CRLF, CR and LF mixed
    ],
    ids=["cr-only", "mixed"],
)
def test_a_csv_with_any_line_endings_is_previewed_then_imported(user_client, user, content):
    response = user_client.post(IMPORT_CSV, {"csv-file": upload("matrix.csv", content)})
    assert "2 stories will be created" in response.content.decode()
    response = user_client.post(IMPORT_CSV, {"token": token_in(response)}, follow=True)
    assert "Imported 2 stories" in response.content.decode()
    assert sorted(Story.objects.for_user(user).values_list("title", flat=True)) == [
        "Hiring",
        "Launch",
    ]


def test_a_csv_header_cell_over_the_csv_limit_is_explained_and_nothing_is_saved(user_client, user):
    content = f"{HEADER},{'x' * 131_073}\nLaunch,s,t,a,r,l,\n"
    response = user_client.post(IMPORT_CSV, {"csv-file": upload("matrix.csv", content)})
    page = response.content.decode()
    assert "Nothing was imported." in page
    assert "a cell on line 1 is longer than 131,072 characters" in page
    assert not Story.with_trash.filter(owner=user).exists()
