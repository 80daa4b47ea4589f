"""How answers map to the five STAR sections (pure, no database)."""

from stories.star import budget_seconds, clean_text, sections_from_answers


def test_each_answer_lands_in_its_section_in_written_order():
    sections = sections_from_answers(
        [
            {"key": "context", "section": "situation", "text": "I joined the payments team."},
            {"key": "problem", "section": "situation", "text": "Checkout failed often."},
            {"key": "approach", "section": "action", "text": "I traced every failure."},
            {"key": "outcome", "section": "result", "text": "Success rose to 99.2%."},
        ]
    )
    assert sections == {
        "situation": "I joined the payments team. Checkout failed often.",
        "task": "",
        "action": "I traced every failure.",
        "result": "Success rose to 99.2%.",
        "learning": "",
    }


def test_blank_answers_and_unknown_sections_are_ignored():
    sections = sections_from_answers(
        [
            {"key": "a", "section": "action", "text": "   "},
            {"key": "b", "section": "epilogue", "text": "Lost?"},
            {"key": "c", "section": "action", "text": None},
        ]
    )
    assert set(sections.values()) == {""}


def test_clean_text_drops_nul_and_normalises_newlines():
    assert clean_text(" a\x00b\r\nc\rd ") == "ab\nc\nd"
    assert clean_text(None) == ""


def test_time_budget_gives_most_time_to_action():
    assert budget_seconds(150) == {"situation+task": 30, "action": 90, "result+learning": 30}
