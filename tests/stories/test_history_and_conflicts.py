"""Nothing is lost: revisions, restore, trash, racing edits and autosaved drafts."""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from stories.models import Story, StoryDraft, StoryRevision, StoryTags
from stories.services import StoryConflict, story_save
from tests.factories import StoryFactory

pytestmark = pytest.mark.django_db


def plain_post(story, **overrides):
    data = {
        "title": story.title,
        "version": story.version,
        "status": "draft",
        "core_theme": "technical-complexity",
        **{
            f"answer_{name}": getattr(story, name)
            for name in ("situation", "task", "action", "result", "learning")
        },
    }
    data.update(overrides)
    return data


def edit(client, story, **overrides):
    return client.post(reverse("stories:edit", args=[story.pk]), plain_post(story, **overrides))


def test_every_save_keeps_a_revision_and_history_lists_them(user_client, user):
    story = StoryFactory(owner=user)
    edit(user_client, story, answer_result="Failed payments fell to 0.3% in three weeks.")
    story.refresh_from_db()
    edit(user_client, story, answer_result="Failed payments fell to 0.2% in two weeks.")
    story.refresh_from_db()
    assert story.version == 3
    assert [r.version for r in story.revisions.all()] == [3, 2]
    body = user_client.get(reverse("stories:history", args=[story.pk])).content.decode()
    assert "v3" in body and "v2" in body and user.email in body


def test_compare_shows_a_word_level_diff_with_the_current_story(user_client, user):
    story = StoryFactory(owner=user)
    edit(user_client, story, answer_result="Failed payments fell to 0.3% in three weeks.")
    story.refresh_from_db()
    first = story.revisions.get()
    edit(user_client, story, answer_result="Failed payments fell to 0.2% in three weeks.")
    body = user_client.get(reverse("stories:revision", args=[story.pk, first.pk])).content.decode()
    assert '<del class="diff-del">0.3%</del>' in body
    assert '<ins class="diff-ins">0.2%</ins>' in body


def test_restore_brings_an_old_version_back_as_a_new_one(user_client, user):
    story = StoryFactory(owner=user)
    edit(user_client, story, answer_result="Old result: 12 hours saved.")
    story.refresh_from_db()
    old = story.revisions.get()
    edit(user_client, story, answer_result="New result: 20 hours saved.")
    response = user_client.post(reverse("stories:restore", args=[story.pk, old.pk]))
    assert response.status_code == 302
    story.refresh_from_db()
    assert story.result == "Old result: 12 hours saved."
    assert story.version == 4
    kinds = list(story.revisions.values_list("version", "kind"))
    assert kinds[0] == (4, "restore")
    assert any(
        r.snapshot["sections"]["result"] == "New result: 20 hours saved."
        for r in story.revisions.all()
    )


def test_delete_sends_to_trash_hidden_everywhere_and_restorable(user_client, user):
    story = StoryFactory(owner=user, title="Gone for now")
    user_client.post(reverse("stories:delete", args=[story.pk]))
    assert Story.with_trash.get(pk=story.pk).deleted_at is not None
    assert list(user_client.get(reverse("stories:bank")).context["page"]) == []
    assert user_client.get(story.get_absolute_url()).status_code == 404
    assert user_client.get(reverse("stories:coverage")).context["coverage"].story_count == 0
    assert "Gone for now" in user_client.get(reverse("stories:trash")).content.decode()
    user_client.post(reverse("stories:untrash", args=[story.pk]))
    assert user_client.get(story.get_absolute_url()).status_code == 200


def test_trash_of_another_user_is_404(other_client, user):
    story = StoryFactory(owner=user)
    Story.objects.filter(pk=story.pk).update(deleted_at=timezone.now())
    assert other_client.post(reverse("stories:untrash", args=[story.pk])).status_code == 404
    assert "Story number" not in other_client.get(reverse("stories:trash")).content.decode()


def test_purge_trash_removes_only_stories_older_than_30_days(user):
    old, recent, kept = StoryFactory.create_batch(3, owner=user)
    now = timezone.now()
    Story.objects.filter(pk=old.pk).update(deleted_at=now - timedelta(days=31))
    Story.objects.filter(pk=recent.pk).update(deleted_at=now - timedelta(days=29))
    call_command("purge_trash")
    assert set(Story.with_trash.values_list("pk", flat=True)) == {recent.pk, kept.pk}
    with time_machine.travel(now + timedelta(days=2)):
        call_command("purge_trash")
    assert set(Story.with_trash.values_list("pk", flat=True)) == {kept.pk}


def test_second_tab_saving_an_old_version_gets_the_conflict_page(user_client, user):
    story = StoryFactory(owner=user)
    first_tab = plain_post(story, answer_result="Tab one: 30% faster.")
    second_tab = plain_post(story, answer_result="Tab two: 45% cheaper.")
    assert user_client.post(reverse("stories:edit", args=[story.pk]), first_tab).status_code == 302
    response = user_client.post(reverse("stories:edit", args=[story.pk]), second_tab)
    assert response.status_code == 409
    body = response.content.decode()
    assert "Tab one: 30% faster." in body and "Tab two: 45% cheaper." in body
    story.refresh_from_db()
    assert story.result == "Tab one: 30% faster."
    # The losing text is already kept in the history.
    conflict = story.revisions.get(kind=StoryRevision.Kind.CONFLICT)
    assert conflict.snapshot["sections"]["result"] == "Tab two: 45% cheaper."
    # The conflict form now carries the current version: saving keeps mine.
    assert f'name="version" value="{story.version}"' in body
    keep_mine = plain_post(story, answer_result="Tab two: 45% cheaper.")
    assert user_client.post(reverse("stories:edit", args=[story.pk]), keep_mine).status_code == 302
    story.refresh_from_db()
    assert story.result == "Tab two: 45% cheaper."


@pytest.mark.django_db(transaction=True)
def test_two_real_saves_racing_one_wins_the_other_conflicts():
    """Two threads, two database connections, released at the same instant."""
    from tests.conftest import load_reference_data

    load_reference_data()
    story = StoryFactory()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def save(text: str):
        try:
            racer = Story.objects.get(pk=story.pk)
            answers = [dict(a, text=text) if a["section"] == "result" else a for a in racer.answers]
            barrier.wait(timeout=10)
            story_save(story=racer, answers=answers, tags=StoryTags(), expected_version=1)
            outcomes.append(f"saved {text}")
        except StoryConflict:
            outcomes.append(f"conflict {text}")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=save, args=(text,)) for text in ("A: 10 hours", "B: 20 hours")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(o.split()[0] for o in outcomes) == ["conflict", "saved"]
    winner = next(o for o in outcomes if o.startswith("saved")).removeprefix("saved ")
    story.refresh_from_db()
    assert story.version == 2
    assert story.result == winner


def autosave(client, story, **overrides):
    data = plain_post(story, **overrides) | {"story_id": story.pk}
    return client.post(reverse("stories:autosave"), data, HTTP_HX_REQUEST="true")


def test_autosave_keeps_a_draft_without_touching_the_story(user_client, user):
    story = StoryFactory(owner=user)
    response = autosave(user_client, story, answer_result="Half-typed: saved 7")
    assert "Draft kept at" in response.content.decode()
    story.refresh_from_db()
    assert story.result != "Half-typed: saved 7" and story.version == 1
    page = user_client.get(reverse("stories:edit", args=[story.pk])).content.decode()
    assert "We brought back your unsaved draft" in page
    assert "Half-typed: saved 7" in page


def test_autosave_never_overwrites_a_newer_saved_version(user_client, user):
    story = StoryFactory(owner=user)
    stale = plain_post(story)  # this tab loaded version 1
    edit(user_client, story, answer_result="Saved from the laptop: 50%.")
    response = user_client.post(
        reverse("stories:autosave"),
        stale | {"story_id": story.pk, "answer_result": "Typed on the phone"},
        HTTP_HX_REQUEST="true",
    )
    assert "saved elsewhere" in response.content.decode()
    story.refresh_from_db()
    assert story.result == "Saved from the laptop: 50%."
    # Saving that draft later goes through the conflict page, not over the newer text.
    user_client.get(reverse("stories:edit", args=[story.pk]))
    draft = StoryDraft.objects.get(story=story)
    assert draft.base_version == 1
    response = user_client.post(
        reverse("stories:edit", args=[story.pk]), stale | {"answer_result": "Typed on the phone"}
    )
    assert response.status_code == 409


def test_saving_clears_the_draft_and_discard_removes_it(user_client, user):
    story = StoryFactory(owner=user)
    autosave(user_client, story, answer_result="draft text")
    edit(user_client, story, answer_result="Final: 3 weeks.")
    assert not StoryDraft.objects.filter(story=story).exists()
    autosave(user_client, Story.objects.get(pk=story.pk), answer_result="another draft")
    user_client.post(reverse("stories:draft_discard"), {"story_id": story.pk})
    assert not StoryDraft.objects.filter(story=story).exists()


def test_new_story_draft_comes_back_on_the_create_page(user_client, user):
    user_client.post(
        reverse("stories:autosave"),
        {"template_slug": "plain-star", "title": "Unfinished", "answer_situation": "It was 2am."},
        HTTP_HX_REQUEST="true",
    )
    page = user_client.get(reverse("stories:create", args=["plain-star"])).content.decode()
    assert "We brought back your unsaved draft" in page and "It was 2am." in page
    assert not Story.objects.filter(owner=user).exists()


@pytest.mark.parametrize(
    "data",
    [
        {"story_id": "999999"},
        {"template_slug": "no-such"},
        {},
        {"template_slug": "plain-star", "answer_action": "x" * 300_000},
        {"template_slug": "plain-star", "version": "9" * 40},
    ],
)
def test_autosave_bad_input_is_not_a_500(user_client, data):
    response = user_client.post(reverse("stories:autosave"), data, HTTP_HX_REQUEST="true")
    assert response.status_code in (200, 404)


def test_autosave_of_another_users_story_is_404(other_client, user):
    story = StoryFactory(owner=user)
    response = autosave(other_client, story, answer_result="hijack")
    assert response.status_code == 404
    assert not StoryDraft.objects.exists()


@pytest.mark.parametrize("name", ["stories:history", "stories:edit"])
def test_history_of_another_users_story_is_404(other_client, user, name):
    story = StoryFactory(owner=user)
    assert other_client.get(reverse(name, args=[story.pk])).status_code == 404


def test_revision_urls_of_another_user_are_404(other_client, user_client, user):
    story = StoryFactory(owner=user)
    edit(user_client, story, answer_result="v2: 5 days")
    revision = Story.objects.get(pk=story.pk).revisions.first()
    assert (
        other_client.get(reverse("stories:revision", args=[story.pk, revision.pk])).status_code
        == 404
    )
    assert (
        other_client.post(reverse("stories:restore", args=[story.pk, revision.pk])).status_code
        == 404
    )


# --- A missing or garbled version is a conflict, never a silent overwrite ---------

MALFORMED_VERSIONS = ["", "0", "abc", "-1", "1.0", " ", "99999999999999999999", "2147483648"]


@pytest.mark.parametrize("version", MALFORMED_VERSIONS)
def test_an_edit_with_a_malformed_version_after_another_tab_saved_keeps_the_other_text(
    user_client, user, version
):
    story = StoryFactory(owner=user)
    other_tab = plain_post(story, answer_result="Other tab: 30% faster.")
    assert user_client.post(reverse("stories:edit", args=[story.pk]), other_tab).status_code == 302
    response = edit(user_client, story, version=version, answer_result="This tab: 45% cheaper.")
    assert response.status_code == 409
    body = response.content.decode()
    assert "We could not tell which version of this story you started from" in body
    assert "Other tab: 30% faster." in body and "This tab: 45% cheaper." in body
    story.refresh_from_db()
    assert story.result == "Other tab: 30% faster." and story.version == 2
    # Nothing lost: this tab's text is in the history, and the form can now save it.
    conflict = story.revisions.get(kind=StoryRevision.Kind.CONFLICT)
    assert conflict.snapshot["sections"]["result"] == "This tab: 45% cheaper."
    assert f'name="version" value="{story.version}"' in body


@pytest.mark.parametrize("version", ["", "0", "abc"])
def test_a_malformed_version_is_a_conflict_even_when_nothing_else_changed(
    user_client, user, version
):
    """Whether the edit is stale cannot be known, so it is compared, not assumed fresh."""
    story = StoryFactory(owner=user)
    response = edit(user_client, story, version=version, answer_result="Only tab: 10 days.")
    assert response.status_code == 409
    story.refresh_from_db()
    assert story.version == 1 and story.result != "Only tab: 10 days."
    # The positive control: the same edit with the version it loaded saves.
    assert edit(user_client, story, answer_result="Only tab: 10 days.").status_code == 302
    story.refresh_from_db()
    assert story.result == "Only tab: 10 days." and story.version == 2


def test_an_edit_with_no_version_field_at_all_is_a_conflict(user_client, user):
    story = StoryFactory(owner=user)
    data = plain_post(story, answer_result="No version posted.")
    del data["version"]
    response = user_client.post(reverse("stories:edit", args=[story.pk]), data)
    assert response.status_code == 409
    story.refresh_from_db()
    assert story.result != "No version posted."


@pytest.mark.parametrize("version", ["", "0", "abc", "-1", "99999999999999999999"])
def test_an_autosave_with_a_malformed_version_never_leads_to_an_overwrite(
    user_client, user, version
):
    """The draft does not know where it started, so saving it goes through the conflict page."""
    story = StoryFactory(owner=user)
    edit(user_client, story, answer_result="Saved from the laptop: 50%.")
    response = autosave(user_client, story, version=version, answer_result="Typed on the phone")
    assert "saved elsewhere" in response.content.decode()
    draft = StoryDraft.objects.get(story=story)
    assert draft.base_version == 0
    # Reopening the editor brings the draft back without claiming a version...
    page = user_client.get(reverse("stories:edit", args=[story.pk]))
    assert "Typed on the phone" in page.content.decode()
    assert page.context["form"]["version"].value() in ("", None)
    # ...so saving it as the page stands compares, and the laptop's text stays.
    posted = plain_post(story, version="", answer_result="Typed on the phone")
    response = user_client.post(reverse("stories:edit", args=[story.pk]), posted)
    assert response.status_code == 409
    story.refresh_from_db()
    assert story.result == "Saved from the laptop: 50%."


def test_restore_takes_no_version_and_always_adds_a_new_one(user_client, user):
    """Restore is its own explicit action: it never overwrites, it appends a version."""
    story = StoryFactory(owner=user)
    edit(user_client, story, answer_result="v2 text")
    story.refresh_from_db()
    old = story.revisions.get()
    edit(user_client, story, answer_result="v3 text")
    response = user_client.post(
        reverse("stories:restore", args=[story.pk, old.pk]), {"version": "abc"}
    )
    assert response.status_code == 302
    story.refresh_from_db()
    assert story.result == "v2 text" and story.version == 4
    assert story.revisions.filter(version=3, snapshot__sections__result="v3 text").exists(), (
        "the newer text stays in the history"
    )


# --- Words, not codes, in the diff ------------------------------------------------------


def test_compare_shows_tags_status_and_kind_by_name_not_by_code(user_client, user):
    story = StoryFactory(owner=user)
    edit(user_client, story, principles=["earn-trust"], themes=["mentorship"], status="draft")
    story.refresh_from_db()
    first = story.revisions.get()
    edit(
        user_client,
        story,
        principles=["earn-trust", "deliver-results"],
        themes=["mentorship"],
        levels=["staff"],
        kind="people",
        status="ready",
    )
    body = user_client.get(reverse("stories:revision", args=[story.pk, first.pk])).content.decode()
    diff = body[body.index('data-testid="diff"') :]
    assert "Earn Trust" in diff and "Deliver Results" in diff and "Mentorship" in diff
    assert '<ins class="diff-ins">Ready</ins>' in diff and "Draft" in diff
    assert "People leadership" in diff and "Staff/Principal" in diff
    for code in ("earn-trust", "deliver-results", "ready", "people", "staff"):
        assert code not in diff.replace("diff-ins", "").replace("diff-del", "")


def test_a_tag_removed_from_the_catalogue_still_reads_as_words():
    from stories.diffing import snapshot_diff

    diff = snapshot_diff({"themes": ["retired-theme"]}, {"themes": []}, names={})
    themes = next(field for field in diff if field.label == "Themes")
    assert [chunk.text for chunk in themes.chunks] == ["Retired theme"]


@pytest.mark.parametrize("tag_count", [1, 12])
def test_compare_reads_all_names_in_one_query_however_many_tags(
    user_client, user, django_assert_num_queries, tag_count
):
    from principles.models import Principle

    slugs = list(Principle.objects.values_list("slug", flat=True)[:tag_count])
    story = StoryFactory(owner=user)
    edit(user_client, story, principles=slugs, themes=["mentorship"], levels=["senior"])
    story.refresh_from_db()
    first = story.revisions.get()
    edit(user_client, story, principles=slugs[:1], kind="people")
    url = reverse("stories:revision", args=[story.pk, first.pk])
    with django_assert_num_queries(10):
        body = user_client.get(url).content.decode()
    assert Principle.objects.get(slug=slugs[-1]).name in body


def test_names_of_a_single_catalogue_are_read_too():
    from stories.diffing import tag_names

    names = tag_names([{"principles": ["earn-trust"]}, {"principles": []}])
    assert names["principles"] == {"earn-trust": "Earn Trust"}
    assert tag_names([{}, {}])["themes"] == {}
