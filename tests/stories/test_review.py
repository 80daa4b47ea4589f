"""The story coach's red-flag rules, on realistic story text. Pure: no database."""

import dataclasses

import pytest

from stories.review import (
    READY_SCORE,
    SECTIONS,
    Finding,
    Review,
    review_story,
)
from stories.star import SPOKEN_BAND, WORDS_PER_MINUTE, SpokenBand

# A strong story told in 2.5 minutes (375 words): an obstacle, numbers, "I" actions and a
# learning. Every test below breaks exactly one thing about it.
CLEAN = {
    "situation": (
        "I joined the payments team when our checkout success rate was 94%, well below the "
        "99% our competitors reported. We ran a patchwork of legacy integrations with three "
        "card vendors, and every outage meant a long night of guessing which one had failed. "
        "Support was fielding around 300 tickets a week about declined payments. Nobody owned "
        "the problem end to end, because each vendor integration belonged to a different team."
    ),
    "task": (
        "My manager asked me to own checkout reliability for the quarter. The hard constraint "
        "was the holiday code freeze: I had only six weeks to ship a fix, and the vendor "
        "relations team was sceptical that anyone could add a provider without breaking "
        "existing contracts."
    ),
    "action": (
        "I started by mapping every failure type with distributed tracing, and I found that "
        "most failures came from a single vendor timing out under load. I proposed a "
        "multi-provider fallback that retried declined payments on a second provider. The "
        "finance lead pushed back because the second provider charged higher fees, so I built "
        "a cost model showing the fallback would cost $8k a month and recover roughly $120k in "
        "lost sales. I presented it to finance and vendor relations, answered their concerns "
        "about contract terms, and got sign-off in one meeting. I split the work into three "
        "milestones and paired with Priya on the retry logic, because she knew the old "
        "integration best. I wrote the rollout plan myself: a feature flag, 1% of traffic "
        "first, then 10%, then everyone. When the first canary showed a spike in duplicate "
        "charges, I paused the rollout, traced it to a missing idempotency key and added the "
        "key before resuming. I kept the support leads informed every week, so they could "
        "warn customers before each step."
    ),
    "result": (
        "Checkout success rose from 94% to 99.2% within six weeks, and support tickets about "
        "declined payments fell by two thirds. The fallback recovered about $1.4M in sales in "
        "its first quarter, and two other teams now reuse the retry library."
    ),
    "learning": (
        "I learned to bring the people most likely to object into the cost discussion early, "
        "instead of defending a finished design. Since then I always write a one-page cost "
        "model before proposing an architecture change, and I plan the canary before I plan "
        "the code."
    ),
}


def story(**changes):
    """The clean story with some sections rewritten (None empties a section)."""
    return {**CLEAN, **changes}


def codes(sections, themes=()):
    return review_story(sections, themes).codes


def finding(sections, code, themes=()):
    (match,) = [f for f in review_story(sections, themes).findings if f.code == code]
    return match


def words(count):
    return " ".join(["word"] * count)


# --- the clean story -----------------------------------------------------------------------


def test_clean_two_and_a_half_minute_story_has_no_findings():
    review = review_story(CLEAN)

    assert review.findings == ()
    assert review.word_count == 375
    assert review.speaking_seconds == 150
    assert review.score == 100


# --- we_not_i ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "action",
    [
        "We decided to move to a multi-provider setup despite the deadline. We split the work "
        "across our two squads and we shipped it in six weeks. I reviewed the design.",
        # Curly apostrophes, and no "I" at all.
        "We\u2019d been burned by the vendor before, so we\u2019ve agreed to ship behind a "
        "flag before the deadline. Our team ran the rollout.",
    ],
)
def test_we_not_i_is_raised_when_we_outnumbers_i_in_the_action(action):
    assert "we_not_i" in codes(story(action=action))


def test_we_not_i_message_counts_the_words_and_points_at_the_action():
    action = (
        "We agreed the deadline was tight. We rewrote our retry logic and we tested it. "
        "I wrote the runbook."
    )
    flag = finding(story(action=action), "we_not_i")

    assert flag.section == "action"
    assert flag.severity == "warning"
    assert "4 times" in flag.message
    assert "once" in flag.message
    assert "I led" in flag.suggestion


def test_we_in_the_situation_with_i_in_the_action_is_fine():
    situation = (
        "We were losing customers every week, and we knew our checkout was the cause. "
        "Our on-call rotation was exhausted and we had no plan."
    )
    assert "we_not_i" not in codes(story(situation=situation))


@pytest.mark.parametrize(
    "action",
    [
        # Possessive "our" is not "we decided": I acts in every step.
        "I moved our services to our new cluster and I rewrote our deploy scripts under a "
        "two-week deadline.",
        # "US" the country and "us-east-1" the region are not "us".
        "We agreed to leave us-east-1 despite the risk. I ran the US migration myself.",
    ],
)
def test_we_not_i_ignores_possessives_and_words_that_only_look_like_us(action):
    assert "we_not_i" not in codes(story(action=action))


# --- over_crediting ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "action",
    [
        "Priya rewrote the parser despite the deadline. Then the platform team built the new "
        "pipeline. They shipped it in two sprints. I kept the stakeholders updated.",
        "My manager negotiated the budget with finance. Two senior engineers rewrote the "
        "retry logic, and Tom\u2019s team ran the load tests. I wrote the announcement.",
    ],
)
def test_over_crediting_is_raised_when_the_action_is_about_others(action):
    assert "over_crediting" in codes(story(action=action))


@pytest.mark.parametrize(
    "action",
    [
        "I set up the kickoff despite the pushback and I ran the weekly syncs, but honestly "
        "the team did all the hard work.",
        "I chased the blockers with the vendor. All I did was book the meetings.",
        "I\u2019m proud of how I handled the objections, but the credit belongs to Priya.",
    ],
)
def test_over_crediting_is_raised_when_the_action_hands_credit_away(action):
    flag = finding(story(action=action), "over_crediting")

    assert flag.section == "action"
    assert "hands the credit away" in flag.message


@pytest.mark.parametrize(
    "action",
    [
        # Colleagues mentioned in the narrator's own sentences.
        "I paired with Priya on the parser rewrite despite the deadline. I asked the platform "
        "team for a review slot, and they agreed. Priya found the last bug; I wrote the "
        "rollout plan and ran the canary.",
        # Giving credit publicly is sponsorship, not over-crediting.
        "I convinced the skeptical VP with a cost model. I led the migration over three "
        "weeks and made sure the credit went to Priya in the launch email.",
        # Note-style bullets: the narrator is the implied subject.
        "- Proposed a fallback design to the skeptical finance lead\n"
        "- Convinced vendor relations with a cost model\n"
        "- Priya built the retry logic",
    ],
)
def test_over_crediting_is_not_raised_when_the_narrator_acts(action):
    assert "over_crediting" not in codes(story(action=action))


# --- no_obstacle ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("situation", "task", "action"),
    [
        # An easy win.
        (
            "Support asked for a dashboard of open tickets per product.",
            "I was asked to add a dashboard for the support team.",
            "I built the dashboard in a day and shipped it. Everyone liked it.",
        ),
        # Negated obstacles are no obstacles.
        (
            "Our team was asked to move the nightly export to the new scheduler.",
            "There was no pushback on the plan; it was a low-risk change with no real risk.",
            "I wrote the migration script, I ran it on a Sunday and I checked the numbers.",
        ),
        # A slow status quo that nothing defended is no obstacle, wherever it is told.
        (
            "Our deploy pipeline took forty minutes and people grumbled about it.",
            "I was asked to speed up the pipeline.",
            "I rewrote the pipeline and I added caching for each stage.",
        ),
    ],
)
def test_no_obstacle_is_raised_for_an_easy_win(situation, task, action):
    flag = finding(story(situation=situation, task=task, action=action), "no_obstacle")

    assert flag.section == "action"
    assert flag.severity == "warning"


@pytest.mark.parametrize(
    ("task", "action"),
    [
        (
            "I was asked to speed up the nightly build.",
            "My manager pushed back because of the release deadline, so I cut the scope "
            "to the two slowest stages.",
        ),
        ("The VP was sceptical, and I had only two weeks.", "I wrote the proposal."),
        ("I owned the migration.", "I couldn\u2019t get access to production logs, so I "),
        ("We had no budget for new hardware.", "I reused the staging cluster."),
        ("I owned the schema.", "I got the two teams to agree on one error format."),
    ],
)
def test_no_obstacle_is_not_raised_when_the_task_or_action_names_one(task, action):
    assert "no_obstacle" not in codes(story(task=task, action=action))


# --- vague_outcome -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "result",
    [
        "Things went well and performance significantly improved.",
        # A year and a quarter's name are not outcomes; "double-check" is not a number.
        "We launched in 2023 and the Q3 review was positive. I still double-check releases.",
        "",
        None,
    ],
)
def test_vague_outcome_is_raised_when_the_result_has_no_number(result):
    flag = finding(story(result=result), "vague_outcome")

    assert flag.section == "result"
    assert flag.severity == "warning"


def test_vague_outcome_says_when_the_result_is_empty():
    assert "empty" in finding(story(result=""), "vague_outcome").message


@pytest.mark.parametrize(
    "result",
    [
        "Revenue increased 30%.",
        "Support tickets fell by two thirds and onboarding took half as long.",
        "All twelve services adopted the standard within a week.",
        "It saved \u20ac40k a quarter in vendor fees.",
        "Deploys doubled, from one a day to twice a day.",
    ],
)
def test_vague_outcome_is_not_raised_for_a_measurable_result(result):
    assert "vague_outcome" not in codes(story(result=result))


# --- no_learning ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "result",
    [
        "Checkout success rose to 99.2%. Everyone was happy.",
        # The lesson is in the Result, but not at its end.
        "I learned a lot in the kickoff. Checkout success rose 5%. The team shipped it on "
        "time. Everyone was pleased.",
    ],
)
def test_no_learning_is_raised_without_a_learning(result):
    flag = finding(story(result=result, learning=""), "no_learning")

    assert flag.section == "learning"
    assert flag.severity == "warning"


def test_no_learning_is_an_error_for_a_failure_story():
    sections = story(learning=None)

    assert finding(sections, "no_learning", themes=["failure-recovery"]).severity == "error"
    assert finding(sections, "no_learning", themes=("ownership",)).severity == "warning"
    # Themes may come from any iterable, or be one slug by itself.
    from_a_generator = finding(sections, "no_learning", themes=iter(["failure-recovery"]))
    assert from_a_generator.severity == "error"
    assert finding(sections, "no_learning", themes="failure-recovery").severity == "error"


def test_a_failure_story_with_a_learning_has_no_error():
    review = review_story(CLEAN, themes=["failure-recovery"])

    assert review.findings == ()


@pytest.mark.parametrize(
    "result",
    [
        "Checkout success rose to 99.2%. Looking back, I learned to involve support earlier.",
        "We restored service in 3.5 hours. I\u2019ve since made dry-run migrations a habit.",
        "The launch slipped by two weeks. Next time I would split the rollout by region.",
        "Review time fell by half. Today I always ask for a cost model first.",
    ],
)
def test_no_learning_is_not_raised_when_the_result_ends_with_one(result):
    assert "no_learning" not in codes(story(result=result, learning=""))


def test_no_learning_is_not_raised_when_the_learning_is_filled_in():
    result = "Checkout success rose to 99.2%. Everyone was happy."
    assert "no_learning" not in codes(story(result=result))


# --- thin_action ---------------------------------------------------------------------------


def test_thin_action_is_raised_when_the_action_is_a_small_part_of_the_story():
    action = "I rewrote the parser despite the deadline."
    flag = finding(story(action=action), "thin_action")

    assert flag.section == "action"
    assert "7 of the 164 words" in flag.message


def test_thin_action_is_raised_for_an_empty_action():
    assert "thin_action" in codes(story(action=""))


def test_thin_action_threshold_is_thirty_percent_of_star():
    at_threshold = {"situation": words(70), "action": words(30)}
    below = {"situation": words(71), "action": words(29)}

    assert "thin_action" not in codes(at_threshold)
    assert "thin_action" in codes(below)


def test_thin_action_is_not_raised_on_a_story_that_is_just_started():
    started = {
        "situation": "Our deploys took an hour and blocked every release.",
        "action": "I fixed them.",
        "result": "Deploys now take 5 minutes.",
    }
    assert "thin_action" not in codes(started)


def test_thin_action_ignores_the_learning():
    assert "thin_action" not in codes(story(learning=words(300)))


# --- the rules on realistic stories (issue 13) ----------------------------------------------

# An easy win: nothing in Situation, Task or Action stands in the way.
EASY_SITUATION = "Support asked for a weekly digest of the product's new features."
EASY_TASK = "I picked up the ticket."
EASY_ACTION = (
    "I built the digest job on our scheduler, reused the email templates and added a toggle "
    "in settings. I demoed it on Friday."
)


def test_the_narrators_own_team_acting_as_one_is_we_not_i_not_over_crediting():
    action = (
        "- The team evaluated three vendors despite the deadline\n"
        "- The team picked one and migrated the flags\n"
        "- The team removed the old tables"
    )
    found = codes(story(action=action))

    assert "we_not_i" in found
    assert "over_crediting" not in found


def test_another_named_team_doing_the_work_is_over_crediting_not_we_not_i():
    action = (
        "The platform team built the pipeline despite the deadline. The data team wrote the "
        "migration. The SRE team ran the load tests. I sent the weekly update."
    )
    found = codes(story(action=action))

    assert "over_crediting" in found
    assert "we_not_i" not in found


@pytest.mark.parametrize(
    "action",
    [
        # The issue's own example.
        "Priya rewrote the connection pooling, which was the real fix. Tom designed the load "
        "test harness and ran the tests every night. Ana found the slow query in the tax "
        "lookup. I mainly reviewed some pull requests and joined the planning calls. I don't "
        "think I added much, to be honest.",
        "Mostly it was Ines and Tariq. Ines compared the vendors before the deadline and Tariq "
        "wrote the integration. I only reviewed their pull requests, which was not much.",
        "Honestly Mei did the clever part: she wrote the reindexing pipeline under a tight "
        "deadline. I kept the board up to date, but the real engineering was theirs.",
        "The person who made this work was Farah: she found the blocker and wrote the "
        "scheduler. I ran the weekly meetings.",
    ],
)
def test_over_crediting_is_raised_when_the_narrator_plays_their_part_down(action):
    assert "over_crediting" in codes(story(action=action))


@pytest.mark.parametrize(
    "action",
    [
        # All "we", no credit handed to anyone: that is we_not_i alone.
        "We split the work into three streams before the deadline. We built the invoice "
        "generator first, then we did the reconciliation jobs. We paired a lot. Towards the "
        "end we worked a couple of weekends to make it.",
        # Others liking, volunteering and reviewing is support for the narrator's work.
        "I set up an editorial calendar despite the tight schedule. Eight people volunteered "
        "in the first hour. I paired each writer with a reviewer and wrote the first post "
        "myself. The head of engineering reviewed every draft. Everyone enjoyed it.",
        # "I only had" is a constraint, not modesty.
        "I only had two weeks, so I cut the scope to the two slowest stages and I rewrote "
        "them myself.",
    ],
)
def test_over_crediting_is_not_raised_for_we_actions_reactions_or_constraints(action):
    assert "over_crediting" not in codes(story(action=action))


def test_an_all_we_action_is_we_not_i_only():
    action = (
        "We split the work into three streams before the deadline. We built the generator "
        "and we did the reconciliation jobs."
    )
    found = codes(story(action=action))

    assert "we_not_i" in found and "over_crediting" not in found


@pytest.mark.parametrize(
    "situation",
    [
        # An outage under way.
        "Our checkout had been timing out for a third of customers since the morning.",
        # A vendor who refuses.
        "Our card vendor refused to extend the old API beyond the end of the quarter.",
        # A date the CEO promised.
        "Our CEO had promised our biggest customer the digest by the first of the month.",
        # Nobody here had done it before.
        "Nobody here had built an email pipeline before, and the whole team was new.",
        # A limit set by someone else.
        "The mail provider allows only ten thousand emails an hour for our account.",
        # A third party switching something off.
        "Our old mail provider told us they would switch off their API in two months.",
    ],
)
def test_no_obstacle_reads_the_situation_for_implicit_obstacles(situation):
    assert "no_obstacle" in codes(
        story(situation=EASY_SITUATION, task=EASY_TASK, action=EASY_ACTION)
    )
    assert "no_obstacle" not in codes(
        story(situation=situation, task=EASY_TASK, action=EASY_ACTION)
    )


@pytest.mark.parametrize(
    "situation",
    [
        EASY_SITUATION,
        # A slow status quo that nothing defended is not an obstacle.
        "Builds took twenty-five minutes and engineers spent a day a week waiting on them.",
        "Our crash reports went to an inbox nobody read.",
        # Negated friction is no friction.
        "Nobody objected to a digest, and the date filters were already in the API.",
    ],
)
def test_no_obstacle_is_raised_for_an_easy_win_told_at_length(situation):
    action = (
        EASY_ACTION + " My manager was very supportive and gave me the whole sprint for it. "
        "Marketing loved it, everyone in the team liked it, and we turned it on for all users "
        "the next Monday. Other teams asked for a copy the same week."
    )
    assert "no_obstacle" in codes(story(situation=situation, task=EASY_TASK, action=action))


@pytest.mark.parametrize(
    "learning",
    [
        "The partner was satisfied, and $3M was processed in the first month.",
        "The COO thanked the team in the leadership meeting.",
        "The relaunch went to 100% of users after two weeks.",
        "Affected users were notified the same day and the incident was closed on Friday.",
    ],
)
def test_no_learning_is_raised_when_the_learning_is_only_more_outcome(learning):
    assert "no_learning" in codes(story(learning=learning))
    assert "no_learning" not in codes(story())  # the control: a real learning


@pytest.mark.parametrize(
    "learning",
    [
        "Next time I would bring finance in before the design review.",
        "Since then I write the cost model first.",
        "It taught me to ask who will object before I write any code.",
        "I changed how I plan rollouts: the canary comes first now.",
        "Measure before arguing; the sceptics' worry makes a good experiment.",
    ],
)
def test_reflection_without_the_word_learned_is_learning(learning):
    assert "no_learning" not in codes(story(learning=learning))


@pytest.mark.parametrize(
    "result",
    [
        "We shipped v3.2 in 2024 and everyone was happy.",
        "Both apps moved to the new schema in version 7, released in spring 2024.",
        "The service is on Java 17 in time.",
        "We launched 3-D Secure in release 4.0 in November 2023.",
    ],
)
def test_vague_outcome_is_raised_when_the_only_numbers_are_a_version_and_a_year(result):
    assert "vague_outcome" in codes(story(result=result))


@pytest.mark.parametrize(
    "result",
    [
        "It cut the build time by half.",
        "Pages load three times faster than before.",
        "Twelve teams adopted it within the quarter.",
        # A version next to a real measure: the measure counts.
        "Moving to Java 17 cut our p99 latency by 40 ms.",
    ],
)
def test_numbers_written_as_words_or_next_to_a_version_are_measurable(result):
    assert "vague_outcome" not in codes(story(result=result))


# --- too_short / too_long ------------------------------------------------------------------


def test_the_default_band_is_two_to_three_minutes_at_150_words_a_minute():
    assert WORDS_PER_MINUTE == 150
    assert (SPOKEN_BAND.min_seconds, SPOKEN_BAND.max_seconds) == (120, 180)

    assert "too_short" in codes({"action": words(298)})  # 119 seconds
    assert "too_short" not in codes({"action": words(300)})  # 120 seconds
    assert "too_long" not in codes({"action": words(450)})  # 180 seconds
    assert "too_long" in codes({"action": words(453)})  # 181 seconds


def test_a_91_second_story_is_too_short():
    review = review_story({"action": words(228)})

    assert review.speaking_seconds == 91
    assert "too_short" in review.codes


def test_too_short_for_a_realistic_short_story_states_the_band():
    short = {
        "situation": "Our deploys were slow.",
        "action": "I parallelised the test suite despite pushback from QA.",
        "result": "Deploys went from 40 to 12 minutes.",
        "learning": "I learned to measure before optimising.",
    }
    flag = finding(short, "too_short")

    assert flag.section == "story"
    assert "about 10 seconds" in flag.message
    assert "2 to 3 minutes" in flag.message
    assert "300\u2013450 words, 2\u20133 minutes" in flag.suggestion


def test_too_long_counts_every_section():
    flag = finding(story(learning=CLEAN["learning"] + " " + words(120)), "too_long")

    assert flag.section == "story"
    assert "3 minutes 18 seconds" in flag.message
    assert "past 3 minutes" in flag.message
    assert "300\u2013450 words, 2\u20133 minutes" in flag.suggestion


def test_a_story_between_two_and_three_minutes_has_no_length_finding():
    assert not {"too_short", "too_long"} & set(codes(CLEAN))


def test_a_user_band_replaces_the_default_one():
    band = SpokenBand(min_seconds=60, max_seconds=90)
    sections = {"action": words(200)}  # 80 seconds

    assert "too_short" in codes(sections)  # under the default band's 2 minutes
    assert not {"too_short", "too_long"} & set(review_story(sections, band=band).codes)
    flag = finding_in(review_story(CLEAN, band=band), "too_long")  # 150 s > 90 s
    assert "past 1.5 minutes" in flag.message
    assert "150\u2013225 words, 1\u20131.5 minutes" in flag.suggestion
    short = finding_in(review_story({"action": words(100)}, band=band), "too_short")
    assert "should take 1 to 1.5 minutes" in short.message


def finding_in(review, code):
    (match,) = [f for f in review.findings if f.code == code]
    return match


# --- an empty story ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sections", [{}, dict.fromkeys(SECTIONS), dict.fromkeys(SECTIONS, ""), {"task": "  \n "}]
)
def test_an_empty_story_gets_a_checklist_of_what_to_write_and_scores_zero(sections):
    review = review_story(sections)

    assert review.codes == ["no_obstacle", "vague_outcome", "no_learning", "too_short"]
    assert review.word_count == 0
    assert review.speaking_seconds == 0
    assert review.score == 0
    assert review.ready is False


# --- words and speaking time ---------------------------------------------------------------


def test_word_count_treats_contractions_and_hyphenated_words_as_one():
    review = review_story({"action": "I\u2019m leading a cross-team effort \u2014 it's done."})

    assert review.word_count == 7


def test_word_count_adds_up_all_five_sections():
    sections = {name: words(10) for name in SECTIONS}

    assert review_story(sections).word_count == 50
    assert review_story({**sections, "unknown": words(10)}).word_count == 50


def test_speaking_seconds_is_rounded_at_150_words_a_minute():
    assert review_story({"action": words(1)}).speaking_seconds == 0
    assert review_story({"action": words(2)}).speaking_seconds == 1
    assert review_story({"action": words(300)}).speaking_seconds == 120


# --- the score and readiness -------------------------------------------------------------

# The keyword-stuffed sketch from issue 13: every rule's trigger word, in 34 words.
SKETCH = {
    "situation": "I led the migration of our billing system.",
    "task": "The blocker was legacy code and a tight deadline.",
    "action": "I fixed it myself and then I convinced the team.",
    "result": "Latency fell 10%.",
    "learning": "I learned a lot.",
}


def test_a_clean_story_in_the_band_is_ready_and_scores_100():
    review = review_story(CLEAN)

    assert review.ready is True
    assert review.score == 100


def test_a_320_word_clean_story_is_ready_and_scores_at_least_80():
    sections = story(situation=" ".join(CLEAN["situation"].split()[:15]) + ".")
    review = review_story(sections)

    assert review.word_count == 320
    assert review.findings == ()
    assert review.ready is True
    assert review.score >= READY_SCORE


def test_the_keyword_stuffed_sketch_scores_at_most_50_and_is_not_ready():
    review = review_story(SKETCH)

    assert review.word_count == 34
    assert review.codes == ["too_short"]  # every content rule is satisfied
    assert review.ready is False
    assert review.score <= 50


def test_under_a_minute_of_speech_caps_the_score_at_50():
    under = review_story({**SKETCH, "learning": SKETCH["learning"] + " " + words(114)})
    over = review_story({**SKETCH, "learning": SKETCH["learning"] + " " + words(115)})

    assert (under.word_count, under.speaking_seconds) == (148, 59)
    assert (over.word_count, over.speaking_seconds) == (149, 60)
    assert under.codes == over.codes == ["too_short"]  # only the cap differs
    assert under.score == 50
    assert over.score == READY_SCORE - 1  # the positive control: 100 - 10, not capped


def test_a_story_out_of_the_band_is_not_ready_and_stays_below_80():
    too_long = review_story(story(learning=CLEAN["learning"] + " " + words(120)))
    too_short = review_story(story(situation="", task="", result="Revenue rose 5%."))

    assert too_long.codes == ["too_long"] and too_long.ready is False
    assert too_long.score == READY_SCORE - 1  # 100 - 10, held under the ready tier
    assert "too_short" in too_short.codes and too_short.ready is False
    assert too_short.score < READY_SCORE


def test_an_error_makes_a_story_not_ready_but_a_warning_does_not():
    sections = story(learning="")

    warning = review_story(sections)
    error = review_story(sections, themes=["failure-recovery"])

    assert (warning.ready, warning.score) == (True, 85)
    assert (error.ready, error.score) == (False, 70)


def test_a_ready_story_with_several_warnings_still_scores_in_the_ready_tier():
    review = review_story(
        story(result="Things went well.", learning="", task=CLEAN["task"] + " " + words(40))
    )

    assert review.codes == ["vague_outcome", "no_learning"]
    assert review.ready is True
    assert review.score == READY_SCORE  # 100 - 2 * 15, raised to the tier's floor


def test_a_flawed_story_scores_lower_than_a_clean_one():
    clean = review_story(CLEAN).score
    vague = review_story(story(result="Things went well.")).score
    vague_we = review_story(
        story(result="Things went well.", action="We shipped it. We were happy.")
    ).score

    assert clean > vague > vague_we


def test_score_never_goes_below_zero():
    sections = {
        "situation": words(300),
        "action": "We shipped it. The platform team built it. They did all the hard work.",
        "result": "Things went well.",
    }
    review = review_story(sections, themes=["failure-recovery"])

    assert len(review.findings) >= 6
    assert review.score == 0
    assert review.ready is False


# --- the data shapes -----------------------------------------------------------------------


def test_to_dict_shape():
    review = review_story(story(result="Things went well."))
    data = review.to_dict()

    assert set(data) == {"findings", "word_count", "speaking_seconds", "score"}
    assert data["findings"] == [
        {
            "code": "vague_outcome",
            "section": "result",
            "severity": "warning",
            "message": review.findings[0].message,
            "suggestion": review.findings[0].suggestion,
        }
    ]
    assert (data["word_count"], data["speaking_seconds"], data["score"]) == (
        review.word_count,
        review.speaking_seconds,
        85,
    )


def test_findings_are_frozen_and_reviews_are_deterministic():
    review = review_story(story(result="Things went well.", learning=""))

    assert isinstance(review, Review)
    assert all(isinstance(flag, Finding) for flag in review.findings)
    with pytest.raises(dataclasses.FrozenInstanceError):
        review.findings[0].severity = "error"
    assert review == review_story(story(result="Things went well.", learning=""))
    assert review.codes == ["vague_outcome", "no_learning", "too_short"]


def test_every_finding_has_a_plain_message_and_a_suggestion():
    sections = {"situation": words(300), "action": "We shipped it.", "result": "Fine."}
    for flag in review_story(sections, themes=["failure-recovery"]).findings:
        assert flag.section in (*SECTIONS, "story")
        assert flag.severity in ("warning", "error")
        assert flag.message.strip() and flag.suggestion.strip()
