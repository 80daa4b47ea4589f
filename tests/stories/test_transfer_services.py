"""Export and import of a whole bank, through the transfer services."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from practice.models import Answer, PracticeSession, PracticeSettings, ReviewSchedule
from practice.services import schedule_refresh
from principles.models import Level, Principle, Question
from stories.models import ANSWER_MAX, METRICS_MAX, Story, StoryTags, StoryTemplate
from stories.services import story_save
from stories.star import SECTIONS, clean_text
from stories.transfer import (
    FORMAT,
    MAX_STORIES,
    DocumentError,
    document_dumps,
    document_load,
)
from stories.transfer.services import (
    UnknownTags,
    bank_export,
    bank_export_markdown,
    bank_import,
)
from tests.factories import AnswerFactory, PracticeSessionFactory, UserFactory

pytestmark = pytest.mark.django_db


# --- Building a bank ---------------------------------------------------------------


def write_story(user, title: str, *, template="technical-direction", **fields) -> Story:
    """A story saved as the form saves it, with every kind of tag."""
    template = StoryTemplate.objects.get(slug=template) if template else None
    answers = fields.pop("answers", None)
    if answers is None:
        answers = [
            {"key": f.key, "label": f.label, "section": f.section, "text": f"{title}: {f.label}."}
            for f in template.fields.all()
        ]
    story = Story(
        owner=user,
        title=title,
        template=template,
        metrics=fields.pop("metrics", "5% → 0.4% failed payments\n$60k a month kept"),
        status=fields.pop("status", Story.Status.READY),
    )
    tags = StoryTags.from_slugs(
        {
            "principles": fields.pop("principles", ["ownership", "dive-deep"]),
            "themes": fields.pop("themes", ["failure-recovery"]),
            "levels": fields.pop("levels", ["senior", "staff"]),
            "kind": fields.pop("kind", "technical"),
            "core_theme": fields.pop("core_theme", None),
        }
    )
    assert not fields, fields
    return story_save(story=story, answers=answers, tags=tags)


def practise(user, stories: list[Story], *, sessions: int = 1) -> list[PracticeSession]:
    """Finished sessions whose answers tell `stories`, rated, with notes and a checklist."""
    PracticeSettings.objects.get_or_create(
        user=user,
        defaults={
            "target_level": Level.objects.get(slug="staff"),
            "band_min_seconds": 90,
            "band_max_seconds": 150,
            "questions_per_session": 3,
            "principle_slots": 3,
            "target_company": "Acme Ltd",
        },
    )
    bank = list(Question.objects.order_by("pk"))
    made = []
    rated = set()
    start = timezone.now() - timedelta(days=10)
    for number in range(sessions):
        started = start + timedelta(days=number, microseconds=123456)
        session = PracticeSessionFactory(
            owner=user,
            mode=PracticeSession.Mode.PRINCIPLE,
            principle=Principle.objects.get(slug="ownership"),
            level=Level.objects.get(slug="senior"),
            band_min_seconds=90,
            band_max_seconds=150,
            started_at=started,
            finished_at=started + timedelta(minutes=20),
            status=PracticeSession.Status.FINISHED,
        )
        # A different three questions each time (the question bank holds over 100).
        questions = [bank[(number * 3 + n) % len(bank)] for n in range(3)]
        rated.update(questions)
        for position, question in enumerate(questions, start=1):
            told = stories[(number + position) % len(stories)] if stories else None
            AnswerFactory(
                session=session,
                question=question,
                position=position,
                story=told if position < 3 else None,
                started_at=started + timedelta(minutes=position * 5),
                stopped_at=started + timedelta(minutes=position * 5, seconds=95 + position),
                duration_seconds=95 + position,
                closed_automatically=position == 2,
                said_i=True,
                named_obstacle=position == 1,
                gave_number=position != 2,
                said_learning=False,
                within_band=position != 3,
                rating=position + 2,
                rated_at=started + timedelta(minutes=position * 5 + 2),
                notes=f"Session {number}, question {position}: slow start — «speed up».",
            )
        made.append(session)
    for question in rated:
        schedule_refresh(user=user, question_id=question.pk)
    return made


# Core themes for the stories of a bank, so a round trip shows each one kept.
CORE_THEMES = ["technical-complexity", "mentorship", "customer-impact", "conflict-resolution"]


def make_bank(user, size: int) -> list[Story]:
    stories = [
        write_story(
            user, f"Story {n} of {user.username}", core_theme=CORE_THEMES[n % len(CORE_THEMES)]
        )
        for n in range(size)
    ]
    practise(user, stories, sessions=size)
    return stories


# --- What a user sees, by slug and title, to compare before and after ---------------


def story_facts(user) -> list[dict]:
    stories = (
        Story.with_trash.filter(owner=user)
        .select_related("template", "kind", "core_theme")
        .prefetch_related("principles", "themes", "levels")
        .order_by("title")
    )
    return [
        {
            "title": s.title,
            "template": s.template.slug if s.template else None,
            "answers": s.answers,
            "sections": s.sections,
            "metrics": s.metrics,
            "status": s.status,
            "principles": sorted(p.slug for p in s.principles.all()),
            "core_theme": s.core_theme.slug if s.core_theme else None,
            "themes": sorted(t.slug for t in s.themes.all()),
            "levels": sorted(level.slug for level in s.levels.all()),
            "kind": s.kind.slug if s.kind else None,
            "red_flags": s.red_flags,
            "score": s.score,
            "word_count": s.word_count,
            "created_at": s.created_at,
            "updated_at": s.updated_at,
            "deleted_at": s.deleted_at,
        }
        for s in stories
    ]


def practice_facts(user) -> dict:
    settings_row = PracticeSettings.objects.filter(user=user).first()
    sessions = PracticeSession.objects.filter(owner=user).order_by("started_at")
    return {
        "settings": None
        if settings_row is None
        else {
            "target_level": settings_row.target_level.slug,
            "band": (settings_row.band_min_seconds, settings_row.band_max_seconds),
            "questions_per_session": settings_row.questions_per_session,
            "principle_slots": settings_row.principle_slots,
            "target_company": settings_row.target_company,
        },
        "sessions": [
            {
                "mode": s.mode,
                "principle": s.principle.slug if s.principle else None,
                "theme": s.theme.slug if s.theme else None,
                "level": s.level.slug,
                "band": (s.band_min_seconds, s.band_max_seconds),
                "started_at": s.started_at,
                "finished_at": s.finished_at,
                "status": s.status,
                "answers": [
                    {
                        "position": a.position,
                        "question": a.question.text,
                        "story": a.story.title if a.story else None,
                        "started_at": a.started_at,
                        "stopped_at": a.stopped_at,
                        "duration_seconds": a.duration_seconds,
                        "closed_automatically": a.closed_automatically,
                        "checklist": a.checklist,
                        "rating": a.rating,
                        "rated_at": a.rated_at,
                        "notes": a.notes,
                    }
                    for a in s.answers.order_by("position")
                ],
            }
            for s in sessions
        ],
        "schedule": [
            (r.question.text, r.ease, r.interval_days, r.repetitions, r.due_on, r.last_reviewed_on)
            for r in ReviewSchedule.objects.filter(user=user).order_by("question__text")
        ],
    }


def delete_everything(user) -> None:
    Story.with_trash.filter(owner=user).delete()
    PracticeSession.objects.filter(owner=user).delete()
    PracticeSettings.objects.filter(user=user).delete()
    ReviewSchedule.objects.filter(user=user).delete()
    assert not story_facts(user)
    assert practice_facts(user) == {"settings": None, "sessions": [], "schedule": []}


def through_text(document: dict) -> dict:
    """As a download and an upload would carry it."""
    return document_load(document_dumps(document).encode("utf-8"))


# --- The round trip ------------------------------------------------------------------


def test_export_delete_import_gives_back_every_story_and_all_practice_history(user):
    stories = make_bank(user, 3)
    plain = write_story(
        user, "Written from a spreadsheet", template="plain-star", kind=None, levels=[]
    )
    stories[1].deleted_at = timezone.now() - timedelta(days=3)  # in the trash, practised before
    Story.with_trash.filter(pk=stories[1].pk).update(deleted_at=stories[1].deleted_at)
    assert plain.template.slug == "plain-star"
    before_stories, before_practice = story_facts(user), practice_facts(user)
    assert before_practice["sessions"][0]["answers"][0]["story"] == stories[1].title

    document = through_text(bank_export(user=user))
    delete_everything(user)
    result = bank_import(user=user, document=document)

    assert len(result.stories) == 4 and not result.renamed
    after_stories, after_practice = story_facts(user), practice_facts(user)
    for before, after in zip(before_stories, after_stories, strict=True):
        for name in before:
            assert after[name] == before[name], (before["title"], name)
    assert after_practice["settings"] == before_practice["settings"]
    for before, after in zip(before_practice["sessions"], after_practice["sessions"], strict=True):
        for name in before:
            assert after[name] == before[name], name
    assert after_practice["schedule"] == before_practice["schedule"]
    assert "3 practice sessions" in result.summary


def test_a_bank_imported_into_another_account_is_the_same_bank(user, other_user):
    make_bank(user, 2)
    bank_import(user=other_user, document=through_text(bank_export(user=user)))
    assert story_facts(other_user) == story_facts(user)
    assert practice_facts(other_user) == practice_facts(user)
    assert Story.objects.for_user(user).count() == 2  # the source is untouched


# --- The core theme -------------------------------------------------------------------


def test_the_core_theme_survives_export_and_import_and_stays_among_the_themes(user, other_user):
    write_story(user, "Payments fallback", core_theme="customer-impact")
    document = through_text(bank_export(user=user))
    [entry] = document["stories"]
    assert entry["core_theme"] == "customer-impact"
    assert sorted(entry["themes"]) == ["customer-impact", "failure-recovery"]

    bank_import(user=other_user, document=document)
    imported = Story.objects.for_user(other_user).get()
    assert imported.core_theme.slug == "customer-impact"
    assert Story.objects.for_user(other_user).filter(themes__slug="customer-impact").exists()
    assert story_facts(other_user) == story_facts(user)


def test_an_import_without_a_core_theme_takes_the_first_theme_in_catalogue_order(user):
    story = bank_of(1)["stories"][0] | {"themes": ["ambiguity-pivoting", "mentorship"]}
    assert "core_theme" not in story
    bank_import(user=user, document={"format": FORMAT, "stories": [story]})
    # Mentorship comes before Ambiguity and pivoting in the guide's list of themes.
    assert Story.objects.for_user(user).get().core_theme.slug == "mentorship"


def test_an_imported_core_theme_not_among_the_themes_is_added_to_them(user):
    story = bank_of(1)["stories"][0] | {"core_theme": "mentorship"}
    bank_import(user=user, document={"format": FORMAT, "stories": [story]})
    imported = Story.objects.for_user(user).get()
    assert imported.core_theme.slug == "mentorship"
    assert sorted(t.slug for t in imported.themes.all()) == ["failure-recovery", "mentorship"]


def test_an_unknown_core_theme_stops_the_whole_import_with_a_clear_message(user):
    good = bank_of(1)["stories"][0] | {"title": "Good one", "core_theme": "mentorship"}
    bad = bank_of(1)["stories"][0] | {"title": "Moon story", "core_theme": "moonshots"}
    with pytest.raises(DocumentError) as raised:
        bank_import(user=user, document={"format": FORMAT, "stories": [good, bad]})
    [problem] = raised.value.problems
    assert problem.startswith("Story 2 (“Moon story”), “core_theme”: “moonshots” is not a theme")
    assert "technical-complexity" in problem  # the themes it could be
    assert not Story.objects.for_user(user).exists()
    # The same document with a known core theme imports (positive control).
    bad["core_theme"] = "customer-impact"
    bank_import(user=user, document={"format": FORMAT, "stories": [good, bad]})
    assert Story.objects.for_user(user).count() == 2


def test_the_markdown_export_names_the_core_theme(user):
    write_story(user, "Payments fallback", core_theme="customer-impact")
    text = bank_export_markdown(user=user)
    assert "Core theme: Customer impact · Other themes: Failure and recovery" in text
    assert "customer-impact" not in text


def test_the_export_names_its_format_and_points_answers_at_story_refs(user):
    [story] = make_bank(user, 1)
    document = bank_export(user=user)
    assert set(document) == {"format", "exported_at", "stories", "practice"}
    assert document["format"] == FORMAT
    [entry] = document["stories"]
    assert entry["ref"] == f"story-{story.pk}"
    assert set(entry["principles"]) == {"ownership", "dive-deep"}
    told = [a["story"] for s in document["practice"]["sessions"] for a in s["answers"]]
    assert entry["ref"] in told


any_character = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
unicode_text = st.text(alphabet=any_character, max_size=60)


def long(limit: int):
    """Texts at (or just under) `limit`: a random piece repeated, cheap to generate."""
    return st.builds(
        lambda piece, cut: (piece * limit)[: limit - cut],
        st.text(alphabet=any_character, min_size=1, max_size=20),
        st.integers(min_value=0, max_value=50),
    )


answer_lists = st.lists(
    st.tuples(
        st.sampled_from(SECTIONS),
        st.one_of(st.just(""), st.just("  \r\n "), unicode_text, long(ANSWER_MAX)),
        unicode_text,
    ),
    max_size=6,
)


@settings(
    max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None
)
@given(
    title=unicode_text.map(clean_text).filter(bool),
    answers=answer_lists,
    metrics=st.one_of(unicode_text, long(METRICS_MAX)),
    status=st.sampled_from(Story.Status.values),
    principles=st.sets(st.sampled_from(["ownership", "frugality", "earn-trust", "dive-deep"])),
    themes=st.sets(st.sampled_from(["mentorship", "failure-recovery", "customer-impact"])),
    kind=st.sampled_from([None, "technical", "people"]),
)
def test_any_story_survives_the_round_trip_unchanged(
    db, title, answers, metrics, status, principles, themes, kind
):
    user = UserFactory()
    written = [
        {"key": f"field_{n}", "label": label, "section": section, "text": text}
        for n, (section, text, label) in enumerate(answers)
    ]
    write_story(
        user,
        title,
        template=None,
        answers=written,
        metrics=metrics,
        status=status,
        principles=sorted(principles),
        themes=sorted(themes),
        levels=["mid"],
        kind=kind,
    )
    before = story_facts(user)
    document = through_text(bank_export(user=user))
    delete_everything(user)
    bank_import(user=user, document=document)
    assert story_facts(user) == before


# --- Bad input saves nothing -----------------------------------------------------------


def test_a_bad_story_at_the_end_leaves_nothing_at_all(user):
    make_bank(user, 2)
    document = through_text(bank_export(user=user))
    delete_everything(user)
    document["stories"].append({"title": "Broken", "status": "finished"})
    with pytest.raises(DocumentError) as caught:
        bank_import(user=user, document=document)
    assert caught.value.problems == [
        "Story 3 (“Broken”), “status”: “finished” is not one of draft, ready, polished."
    ]
    assert Story.with_trash.filter(owner=user).count() == 0
    assert PracticeSession.objects.filter(owner=user).count() == 0


def test_a_failure_while_writing_practice_undoes_the_stories_too(user, monkeypatch):
    from stories.transfer.services import EXTRA_SECTIONS

    make_bank(user, 2)
    document = through_text(bank_export(user=user))
    delete_everything(user)

    def broken_importer(user, data, stories):
        raise DocumentError(["Practice session 1: the disk is full."])

    section = EXTRA_SECTIONS["practice"]
    monkeypatch.setitem(
        EXTRA_SECTIONS,
        "practice",
        type(section)(name="practice", exporter=section.exporter, importer=broken_importer),
    )
    with pytest.raises(DocumentError):
        bank_import(user=user, document=document)
    assert Story.with_trash.filter(owner=user).count() == 0


def test_duplicate_titles_are_kept_and_renamed(user):
    write_story(user, "Payments fallback")
    document = through_text(bank_export(user=user))
    document["stories"].append({**document["stories"][0], "ref": "copy"})
    result = bank_import(user=user, document=document)
    titles = sorted(Story.objects.for_user(user).values_list("title", flat=True))
    assert titles == ["Payments fallback", "Payments fallback (2)", "Payments fallback (3)"]
    assert result.renamed == [
        ("Payments fallback", "Payments fallback (2)"),
        ("Payments fallback", "Payments fallback (3)"),
    ]
    assert "2 renamed because the title was taken" in result.summary


def test_unknown_tags_stop_the_import_and_are_listed(user, other_user):
    make_bank(user, 1)
    document = through_text(bank_export(user=user))
    story = document["stories"][0]
    story["principles"].append("be-vocally-self-critical")
    story["themes"].append("moonshots")
    story["template"] = "retired-template"
    with pytest.raises(UnknownTags) as caught:
        bank_import(user=other_user, document=document)
    assert caught.value.unknown == {
        "templates": ["retired-template"],
        "principles": ["be-vocally-self-critical"],
        "themes": ["moonshots"],
    }
    assert not Story.with_trash.filter(owner=other_user).exists()


def test_confirmed_unknown_tags_are_dropped_and_every_word_is_kept(user, other_user):
    make_bank(user, 1)
    document = through_text(bank_export(user=user))
    story = document["stories"][0]
    story["principles"].append("be-vocally-self-critical")
    story["template"] = "retired-template"
    result = bank_import(user=other_user, document=document, confirm_unknown_tags=True)
    [imported] = result.stories
    assert imported.template is None
    assert sorted(imported.principles.values_list("slug", flat=True)) == ["dive-deep", "ownership"]
    assert imported.answers == story["answers"]
    assert result.skipped["principles"] == ["be-vocally-self-critical"]


def test_more_than_2000_stories_are_refused_with_a_clear_message(user):
    document = {"format": FORMAT, "stories": [{"title": f"S{n}"} for n in range(MAX_STORIES + 1)]}
    with pytest.raises(DocumentError, match="2,001 stories; an import can hold at most 2,000"):
        bank_import(user=user, document=document)
    assert not Story.with_trash.filter(owner=user).exists()


def test_exactly_2000_small_stories_import(user):
    document = {"format": FORMAT, "stories": [{"title": f"S{n}"} for n in range(MAX_STORIES)]}
    result = bank_import(user=user, document=document)
    assert len(result.stories) == MAX_STORIES
    assert Story.objects.for_user(user).count() == MAX_STORIES


# --- Isolation -------------------------------------------------------------------------


def test_the_export_never_contains_another_users_data(user, other_user):
    make_bank(user, 1)
    theirs = make_bank(other_user, 2)
    # Even an answer of mine that points at their story does not carry it.
    mine = PracticeSession.objects.filter(owner=user).first().answers.first()
    Answer.objects.filter(pk=mine.pk).update(story=theirs[0])
    text = document_dumps(bank_export(user=user))
    assert other_user.username not in text
    assert theirs[0].title not in text
    document = json.loads(text)
    assert len(document["stories"]) == 1
    assert len(document["practice"]["sessions"]) == 1
    assert document["practice"]["sessions"][0]["answers"][0]["story"] is None


def test_query_count_of_the_export_does_not_grow_with_the_bank(
    user, other_user, django_assert_num_queries
):
    make_bank(user, 1)
    make_bank(other_user, 50)
    with django_assert_num_queries(7):
        small = bank_export(user=user)
    with django_assert_num_queries(7):
        large = bank_export(user=other_user)
    assert len(small["stories"]) == 1 and len(large["stories"]) == 50
    assert len(large["practice"]["sessions"]) == 50


# --- Imports in bulk ---------------------------------------------------------------------


def bank_of(size: int) -> dict:
    """A document of `size` tagged stories, as another server would export them."""
    story = {
        "title": "Payments fallback",
        "template": "plain-star",
        "status": "ready",
        "answers": [
            {"key": name, "label": name.title(), "section": name, "text": f"We did the {name}."}
            for name in SECTIONS
        ],
        "metrics": "5% → 0.4%",
        "principles": ["ownership", "dive-deep"],
        "themes": ["failure-recovery"],
        "levels": ["senior"],
        "kind": "technical",
        "created_at": "2024-01-02T03:04:05.123456+00:00",
    }
    return {"format": FORMAT, "stories": [story] * size}


@pytest.mark.parametrize("size", [1, 50])
def test_the_import_runs_the_same_number_of_queries_for_1_and_50_stories(
    user, django_assert_num_queries, size
):
    # The catalogue (read to check, then to write), the titles taken, then one statement
    # each for the stories, 3 kinds of tag link, search vectors, revisions and times, and
    # the user's band (read once for every story the coach judges).
    with django_assert_num_queries(23):
        result = bank_import(user=user, document=bank_of(size))
    assert len(result.stories) == size
    assert Story.objects.for_user(user).filter(principles__slug="dive-deep").count() == size


def test_stories_imported_in_bulk_are_as_if_saved_one_by_one(user, other_user):
    """The same sections, verdict, search vector, revision and renaming as story_save."""
    from stories.models import StoryRevision
    from stories.services import story_snapshot

    write_story(user, "Payments fallback")
    bank_import(user=user, document=bank_of(2))
    imported = Story.objects.for_user(user).exclude(title="Payments fallback")
    assert sorted(imported.values_list("title", flat=True)) == [
        "Payments fallback (2)",
        "Payments fallback (3)",
    ]
    story = imported.get(title="Payments fallback (2)")
    assert story.action == "We did the action."
    assert (story.red_flags, story.score, story.word_count) != ([], 0, 0)
    assert story.created_at.year == 2024
    assert Story.objects.for_user(user).search("fallback").count() == 3
    [revision] = story.revisions.all()
    assert revision.kind == StoryRevision.Kind.IMPORT and revision.version == story.version
    assert revision.snapshot == story_snapshot(story)
    # The verdict is the one an ordinary save stores for the same story.
    saved = write_story(
        other_user,
        "Payments fallback (2)",
        template="plain-star",
        answers=story.answers,
        metrics=story.metrics,
        principles=["ownership", "dive-deep"],
        levels=["senior"],
    )
    assert (saved.red_flags, saved.score, saved.word_count) == (
        story.red_flags,
        story.score,
        story.word_count,
    )
