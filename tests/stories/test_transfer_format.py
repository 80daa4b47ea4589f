"""The bank document format, its checks, Markdown and the CSV story matrix: no database."""

import json
from datetime import UTC, datetime

import pytest

from stories.transfer import (
    FORMAT,
    MAX_DOCUMENT_BYTES,
    MAX_STORIES,
    DocumentError,
    bank_markdown,
    document_dumps,
    document_load,
    document_stories,
    referenced_slugs,
    story_matrix_parse,
    titles_deduplicated,
)

PRINCIPLES = {
    "ownership": "Ownership",
    "dive-deep": "Dive Deep",
    "have-backbone-disagree-and-commit": "Have Backbone; Disagree and Commit",
    "are-right-a-lot": "Are Right, A Lot",
    "strive-to-be-earths-best-employer": "Strive to be Earth's Best Employer",
}
THEMES = {"mentorship": "Mentorship", "failure-recovery": "Failure and recovery"}


def story(**fields) -> dict:
    return {
        "ref": "story-1",
        "title": "Payments fallback",
        "template": "plain-star",
        "status": "ready",
        "answers": [
            {"key": "situation", "label": "Situation", "section": "situation", "text": "Checkout."},
            {"key": "action", "label": "Action", "section": "action", "text": "I built it."},
        ],
        "metrics": "5% → 0.4%",
        "principles": ["ownership"],
        "themes": [],
        "levels": ["senior"],
        "kind": "technical",
        **fields,
    }


def document(*stories, **extra) -> dict:
    return {"format": FORMAT, "stories": list(stories), **extra}


def problems_of(doc, **kwargs) -> list[str]:
    with pytest.raises(DocumentError) as caught:
        document_stories(doc, **kwargs)
    return caught.value.problems


# --- Loading -----------------------------------------------------------------------


def test_a_valid_export_loads_and_reads_back_its_stories():
    text = document_dumps(document(story()))
    [record] = document_stories(document_load(text.encode("utf-8")))
    assert record.title == "Payments fallback"
    assert record.sections["action"] == "I built it."
    assert record.principles == ["ownership"]


def test_malformed_json_names_the_line_and_column():
    with pytest.raises(DocumentError) as caught:
        document_load(b'{"format": "storybank/1",\n "stories": [,]}')
    assert "not valid JSON" in caught.value.summary
    assert "line 2" in caught.value.summary


def test_a_file_over_5_mb_is_refused_with_its_size():
    with pytest.raises(DocumentError) as caught:
        document_load(b" " * (MAX_DOCUMENT_BYTES + 1))
    assert "5.0 MB" in caught.value.summary
    assert "at most 5 MB" in caught.value.summary


def test_a_binary_file_is_not_taken_for_an_export():
    with pytest.raises(DocumentError, match="not UTF-8"):
        document_load("café".encode("latin-1"))


def test_json_that_is_not_an_object_is_refused():
    with pytest.raises(DocumentError, match="holds a list, not a Story Bank export"):
        document_load(b"[1, 2]")


# --- Format and stories ---------------------------------------------------------------


def test_a_missing_or_wrong_format_says_what_is_expected():
    assert "no “format”" in problems_of({"stories": []})[0]
    message = problems_of({"format": "storybank/2", "stories": []})[0]
    assert "“storybank/2”" in message and "reads “storybank/1”" in message


def test_more_than_2000_stories_is_refused_before_reading_any():
    message = problems_of(document(*[{}] * (MAX_STORIES + 1)))[0]
    assert "2,001 stories" in message and "at most 2,000" in message


def test_every_problem_is_listed_naming_the_story_and_field():
    bad_status = story(status="done")
    no_title = story(title="  ", ref="story-2")
    bad_answer = story(
        title="Crisis",
        ref="story-3",
        answers=[{"key": "x", "label": "X", "section": "middle", "text": "…"}],
    )
    problems = problems_of(document(bad_status, no_title, bad_answer))
    assert problems == [
        "Story 1 (“Payments fallback”), “status”: “done” is not one of draft, ready, polished.",
        "Story 2, “title”: is required and is empty.",
        "Story 3 (“Crisis”), answer 1, “section”: “middle” is not one of situation, task, "
        "action, result, learning.",
    ]


def test_texts_over_their_limits_are_refused_with_the_limit():
    long_answer = [{"key": "a", "label": "A", "section": "action", "text": "w" * 5001}]
    problems = problems_of(document(story(answers=long_answer, metrics="m" * 2001)))
    assert any(
        "answer 1, “text”: is 5,001 characters long; the limit is 5,000" in p for p in problems
    )
    assert any("“metrics”: is 2,001 characters long; the limit is 2,000" in p for p in problems)


def test_a_field_this_version_does_not_read_is_refused_not_dropped():
    [problem] = problems_of(document(story(notes="My private notes")))
    assert "“notes” is not a field of storybank/1, so it would be lost" in problem


def test_an_unknown_top_level_section_is_refused_but_a_registered_one_is_read():
    assert "“goals”" in problems_of(document(story(), goals=[]))[0]
    assert document_stories(document(story(), practice={}), sections=["practice"])


def test_two_stories_with_one_ref_are_refused():
    problems = problems_of(document(story(), story(title="Other")))
    assert problems == [
        "Story 2 (“Other”), “ref”: “story-1” is used by an earlier story; each story needs its own."
    ]


def test_sections_edited_apart_from_their_answers_are_refused_rather_than_lost():
    sections = {"situation": "Checkout.", "action": "I rewrote it all myself."}
    [problem] = problems_of(document(story(sections=sections)))
    assert "the action does not match the answers" in problem


def test_a_story_given_only_as_sections_becomes_one_answer_per_section():
    given = story(answers=[], sections={"situation": "Checkout.", "result": "99.2%", "task": ""})
    [record] = document_stories(document(given))
    assert [a["key"] for a in record.answers] == ["situation", "result"]
    assert record.sections["result"] == "99.2%"


def test_duplicate_answer_keys_and_non_slug_tags_are_refused():
    answers = [
        {"key": "a", "label": "A", "section": "task", "text": "1"},
        {"key": "a", "label": "A", "section": "task", "text": "2"},
    ]
    problems = problems_of(document(story(answers=answers, principles=["Own ership"])))
    assert any("“key”: “a” is used by an earlier answer" in p for p in problems)
    assert any("“principles”: “Own ership” is not a slug" in p for p in problems)


def test_a_time_without_a_time_zone_is_refused():
    [problem] = problems_of(document(story(created_at="2026-01-02T10:00:00")))
    assert "“created_at”" in problem and "time zone" in problem


def test_every_referenced_slug_is_collected_by_kind():
    records = document_stories(document(story(), story(ref="b", themes=["mentorship"], kind=None)))
    assert referenced_slugs(records) == {
        "templates": {"plain-star"},
        "principles": {"ownership"},
        "themes": {"mentorship"},
        "levels": {"senior"},
        "kinds": {"technical"},
    }


def test_a_one_line_summary_counts_the_other_problems():
    error = DocumentError(["First", "Second", "Third"])
    assert error.summary == "First (and 2 more problems)"


# --- Titles -----------------------------------------------------------------------


def test_duplicate_titles_are_kept_and_numbered():
    titles = titles_deduplicated(["Crisis", "Crisis", "Launch"], taken=["Crisis", "Crisis (2)"])
    assert titles == ["Crisis (3)", "Crisis (4)", "Launch"]


def test_a_numbered_title_still_fits_the_title_limit():
    [title] = titles_deduplicated(["x" * 200], taken=["x" * 200])
    assert len(title) == 200 and title.endswith(" (2)")


# --- Markdown ----------------------------------------------------------------------


def test_markdown_reads_as_a_document_with_names_sections_and_bold_metrics():
    entries = [
        {
            **story(),
            "sections": {"situation": "Checkout.", "task": "", "action": "I built it."},
            "metrics": "5% → 0.4%\n$60k a month",
        },
        {**story(title="Old"), "sections": {}, "trashed_at": "2026-01-01T00:00:00+00:00"},
    ]
    names = {"principles": {"ownership": "Ownership"}, "levels": {"senior": "Senior"}}
    text = bank_markdown(entries, names=names, exported_at=datetime(2026, 3, 4, tzinfo=UTC))
    assert text.startswith("# Story bank\n\nExported 04 March 2026 · 1 story\n")
    assert "## Payments fallback" in text
    assert "*Ready* · Principles: Ownership · Levels: Senior" in text
    assert "### Situation\n\nCheckout." in text
    assert "### Task" not in text  # empty sections are left out
    assert "- **5% → 0.4%**\n- **$60k a month**" in text
    assert "Old" not in text  # the trash is in the JSON export only
    assert "\n\n\n" not in text


def test_markdown_names_the_core_theme_before_the_other_themes():
    names = {"themes": {"mentorship": "Mentorship", "customer-impact": "Customer impact"}}
    entry = story(core_theme="mentorship", themes=["customer-impact", "mentorship"], sections={})
    text = bank_markdown([entry], names=names, exported_at=datetime(2026, 3, 4, tzinfo=UTC))
    assert "Core theme: Mentorship · Other themes: Customer impact · Levels: senior" in text
    # A story exported before core themes existed lists its themes as before.
    old = story(themes=["mentorship"], sections={})
    text = bank_markdown([old], names=names, exported_at=datetime(2026, 3, 4, tzinfo=UTC))
    assert "Themes: Mentorship" in text and "Core theme" not in text


def test_a_document_reads_the_core_theme_slug_and_refuses_one_that_is_not_a_slug():
    [record] = document_stories(document(story(core_theme="mentorship")))
    assert record.core_theme == "mentorship"
    [record] = document_stories(document(story()))
    assert record.core_theme is None
    with pytest.raises(DocumentError) as raised:
        document_stories(document(story(core_theme="not a slug!")))
    assert raised.value.problems == [
        "Story 1 (“Payments fallback”), “core_theme”: “not a slug!” is not a slug "
        "(letters, digits and hyphens)."
    ]


# --- CSV story matrix --------------------------------------------------------------


def parse(text: str, encoding: str = "utf-8"):
    return story_matrix_parse(text.encode(encoding), principles=PRINCIPLES, themes=THEMES)


def csv_problems(text: str, encoding: str = "utf-8") -> list[str]:
    with pytest.raises(DocumentError) as caught:
        parse(text, encoding)
    return caught.value.problems


HEADER = "title,situation,task,action,result,learning"


def test_a_matrix_with_x_columns_becomes_stories_with_tags():
    text = (
        f"{HEADER},metrics,status,Ownership,dive-deep,Mentorship,Company\n"
        'Payments,Checkout failed,Fix it,"I traced it.\nI built it.",0.4%,Money first,'
        '"5% → 0.4%",Ready,x,,X,Acme\n'
        ",,,,,,,,,,,\n"
        "Hiring,A team,Grow it,I coached,Two promoted,Patience,,,,x,,\n"
    )
    matrix = parse(text)
    payments, hiring = matrix.document["stories"]
    assert payments["title"] == "Payments"
    assert payments["status"] == "ready"
    assert payments["principles"] == ["ownership"]
    assert payments["themes"] == ["mentorship"]
    assert payments["answers"][2] == {
        "key": "action",
        "label": "Action",
        "section": "action",
        "text": "I traced it.\nI built it.",
    }
    assert payments["metrics"] == "5% → 0.4%"
    assert hiring["principles"] == ["dive-deep"] and hiring["status"] == "draft"
    assert matrix.ignored_columns == ["Company"]
    # The result is an ordinary import document.
    assert [r.title for r in document_stories(matrix.document)] == ["Payments", "Hiring"]


def test_a_principles_column_takes_names_or_slugs_even_with_semicolons_in_a_name():
    text = (
        f"{HEADER},principles,themes\n"
        'A,s,t,a,r,l,"Have Backbone; Disagree and Commit; ownership ;are right, a lot",'
        "failure and recovery\n"
        "B,s,t,a,r,l,Strive to be Earth’s Best Employer,\n"
    )
    first, second = parse(text).document["stories"]
    assert first["principles"] == [
        "have-backbone-disagree-and-commit",
        "ownership",
        "are-right-a-lot",
    ]
    assert first["themes"] == ["failure-recovery"]
    assert second["principles"] == ["strive-to-be-earths-best-employer"]


def test_a_semicolon_separated_file_with_a_byte_order_mark_is_read():
    text = "\ufefftitle;situation;task;action;result;learning;Ownership\nA;s;t;a;r;l;x\n"
    [only] = parse(text).document["stories"]
    assert only["title"] == "A" and only["principles"] == ["ownership"]


def test_a_file_saved_as_windows_1252_is_refused_with_how_to_save_it():
    [problem] = csv_problems(f"{HEADER}\nCafé,s,t,a,r,l\n", encoding="cp1252")
    assert "not UTF-8: byte 0xE9 on line 2" in problem
    assert "CSV UTF-8" in problem


def test_utf16_and_workbooks_are_refused_with_how_to_save_them():
    with pytest.raises(DocumentError, match="UTF-16"):
        story_matrix_parse(f"{HEADER}\n".encode("utf-16"), principles={}, themes={})
    with pytest.raises(DocumentError, match=r"workbook \(.xlsx\)"):
        story_matrix_parse(b"PK\x03\x04rest", principles={}, themes={})


def test_missing_columns_are_named_with_what_was_found():
    [problem] = csv_problems("Title,Situation,Action,Result\nA,s,a,r\n")
    assert problem.startswith("The file has no column “task”, “learning”.")
    assert "Columns found: “Title”, “Situation”, “Action”, “Result”." in problem


def test_a_bad_status_names_the_row_and_column():
    [problem] = csv_problems(f"{HEADER},Status\nA,s,t,a,r,l,ready\nB,s,t,a,r,l,done\n")
    assert problem == (
        "Row 3, column “Status”: “done” is not a status; use draft, ready, polished "
        "(or leave it empty for draft)."
    )


def test_an_unknown_principle_names_the_row_and_column():
    [problem] = csv_problems(f"{HEADER},Principles\nA,s,t,a,r,l,Ownership; Frugalty\n")
    assert problem == (
        "Row 2, column “Principles”: “Frugalty” is not a principle on this server "
        "(use its name or slug)."
    )


def test_commas_between_principles_get_a_hint():
    [problem] = csv_problems(f'{HEADER},principles\nA,s,t,a,r,l,"Ownership, Dive Deep"\n')
    assert "Separate several with semicolons." in problem


def test_a_misspelled_principle_column_marked_with_x_is_refused_not_ignored():
    [problem] = csv_problems(f"{HEADER},Owenrship\nA,s,t,a,r,l,x\n")
    assert problem.startswith("Column “Owenrship” is marked with x but is not a principle or theme")


def test_an_x_column_with_another_value_names_the_row_and_column():
    [problem] = csv_problems(f"{HEADER},Ownership\nA,s,t,a,r,l,maybe\n")
    assert (
        problem
        == "Row 2, column “Ownership”: mark a principle with x or leave the cell empty, not “maybe”."
    )


def test_a_row_without_a_title_and_a_file_without_rows_are_refused():
    assert csv_problems(f"{HEADER}\n,s,t,a,r,l\n") == [
        "Row 2, column “title”: every story needs a title."
    ]
    assert csv_problems(f"{HEADER}\n") == ["The file has a header row but no stories below it."]


def test_more_than_2000_rows_are_refused():
    rows = "".join(f"S{n},s,t,a,r,l\n" for n in range(MAX_STORIES + 1))
    [problem] = csv_problems(f"{HEADER}\n{rows}")
    assert "2,001 stories" in problem


def test_the_csv_document_round_trips_through_json_text():
    matrix = parse(f"{HEADER}\nÉté – “quoted”,s,t,a,r,l\n")
    reloaded = document_load(json.dumps(matrix.document).encode())
    assert document_stories(reloaded)[0].title == "Été – “quoted”"


def test_a_comma_outside_quotes_that_pushes_text_past_the_last_column_is_refused():
    [problem] = csv_problems(f"{HEADER}\nA,s,t,I traced it, then I built it,r,l\n")
    assert problem.startswith("Row 2 has more cells than the first row has columns")
    assert "double quotes" in problem


def test_text_in_a_column_without_a_name_is_reported_as_not_imported():
    matrix = parse(f"{HEADER},\nA,s,t,a,r,l,a note to self\n")
    assert matrix.ignored_columns == ["column 7 (no name)"]


def test_an_export_from_before_answers_were_joined_as_prose_still_imports():
    """Older exports carry a section of several answers joined by a space."""
    answers = [
        {"key": "first", "label": "First", "section": "action", "text": "I traced it"},
        {"key": "then", "label": "Then", "section": "action", "text": "then I built it"},
    ]
    old = {"action": "I traced it then I built it"}
    [record] = document_stories(document(story(answers=answers, sections=old)))
    assert record.sections["action"] == "I traced it.\n\nThen I built it."
    current = {"action": "I traced it.\n\nThen I built it."}
    assert document_stories(document(story(answers=answers, sections=current)))
    edited = {"action": "I traced it and rebuilt it"}
    assert (
        "the action does not match"
        in problems_of(document(story(answers=answers, sections=edited)))[0]
    )
