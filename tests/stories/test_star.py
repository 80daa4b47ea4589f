"""How answers map to the five STAR sections (pure, no database)."""

from stories.star import as_sentence, budget_seconds, clean_text, sections_from_answers


def test_each_answer_lands_in_its_section_in_written_order_as_its_own_paragraph():
    sections = sections_from_answers(
        [
            {"key": "context", "section": "situation", "text": "I joined the payments team."},
            {"key": "problem", "section": "situation", "text": "Checkout failed often."},
            {"key": "approach", "section": "action", "text": "I traced every failure."},
            {"key": "outcome", "section": "result", "text": "Success rose to 99.2%."},
        ]
    )
    assert sections == {
        "situation": "I joined the payments team.\n\nCheckout failed often.",
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


def test_a_fact_like_answer_is_not_glued_onto_the_previous_sentence():
    """The mentorship Timeline answer read "...myself. About five months, January to June." """
    sections = sections_from_answers(
        [
            {"key": "time_invested", "section": "action", "text": "I paired with her myself"},
            {"key": "timeline", "section": "action", "text": "about five months, January to June"},
        ]
    )
    assert sections["action"] == "I paired with her myself.\n\nAbout five months, January to June."
    assert "myself. About" not in sections["action"]


def test_answers_become_sentences_without_rewriting_what_was_written():
    assert as_sentence("about five months") == "About five months."
    assert as_sentence("  Latency fell 40%!  ") == "Latency fell 40%!"
    assert as_sentence('She said "ship it."') == 'She said "ship it."'
    assert as_sentence("iOS crashes fell by half") == "iOS crashes fell by half."
    assert as_sentence("I changed three things:") == "I changed three things:"
    assert as_sentence("Steps:\n- profiled the job\n- cached the matrix") == (
        "Steps:\n- profiled the job\n- cached the matrix"
    )
    assert as_sentence("") == ""


def test_a_single_answer_is_kept_as_written_and_the_plain_join_is_still_available():
    answers = [
        {"section": "result", "text": "errors fell 90%"},
        {"section": "result", "text": "and stayed down"},
    ]
    assert sections_from_answers(answers[:1])["result"] == "errors fell 90%"
    assert sections_from_answers(answers)["result"] == "Errors fell 90%.\n\nAnd stayed down."
    assert sections_from_answers(answers, prose=False)["result"] == (
        "errors fell 90% and stayed down"
    )
