"""Practice history in the bank export (practice/transfer/history.py): checked with the stories,
then written; what this server lacks is asked about, then left out."""

import pytest

from practice.models import PracticeSession
from stories.models import Story
from stories.transfer import DocumentError
from stories.transfer.services import UnknownTags, bank_export, bank_import
from tests.stories.test_transfer_services import make_bank, through_text

pytestmark = pytest.mark.django_db


def test_a_bad_practice_answer_is_reported_with_the_stories_before_anything_is_written(user):
    make_bank(user, 1)
    document = through_text(bank_export(user=user))
    document["practice"]["sessions"][0]["answers"][0]["rating"] = 9
    document["practice"]["sessions"][0]["answers"][1]["story"] = "story-nowhere"
    with pytest.raises(DocumentError) as caught:
        bank_import(user=user, document=document)
    assert caught.value.problems == [
        "Practice session 1, answer 1, “rating”: 9 is not between 1 and 5.",
        "Practice session 1, answer 2, “story”: no story in this document has the ref “story-nowhere”.",
    ]
    assert Story.with_trash.filter(owner=user).count() == 1  # only the original


def test_an_answer_to_a_question_this_server_lacks_is_reported_then_left_out(user, other_user):
    make_bank(user, 1)
    document = through_text(bank_export(user=user))
    answers = document["practice"]["sessions"][0]["answers"]
    answers[0]["question"] = "Tell me about a question only the old server had."
    document["practice"]["sessions"][0]["level"] = "principal-plus"
    with pytest.raises(UnknownTags) as caught:
        bank_import(user=other_user, document=document)
    assert caught.value.unknown == {
        "levels": ["principal-plus"],
        "practice questions": ["Tell me about a question only the old server had."],
    }
    bank_import(user=other_user, document=document, confirm_unknown_tags=True)
    [session] = PracticeSession.objects.filter(owner=other_user)
    assert session.answers.count() == 2
    assert session.level.slug == "staff"  # the practice level of the imported settings
