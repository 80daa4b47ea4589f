"""The history's delivery charts: pace, pauses and section split (pure, no database)."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from practice.charts import DeliveryPoint, pace_chart, pauses_chart, split_chart
from practice.selectors import BUDGET_LABELS, PACE_TARGET_WPM
from stories.star import TIME_BUDGET

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def points(*wpms, pauses=2, split=(20, 60, 20), step=timedelta(days=1)):
    return [
        DeliveryPoint(T0 + step * i, wpm=wpm, pauses=pauses, split=split)
        for i, wpm in enumerate(wpms)
    ]


def split(delivery):
    return split_chart(delivery, budget=TIME_BUDGET, labels=BUDGET_LABELS)


def all_charts():
    delivery = points(120.0, 145.0, 175.0)
    return [pace_chart(delivery, target=PACE_TARGET_WPM), pauses_chart(delivery), split(delivery)]


@pytest.mark.parametrize("chart", all_charts(), ids=["pace", "pauses", "split"])
def test_every_delivery_chart_is_labelled_svg_without_inline_styles(chart):
    svg = str(chart.svg)
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert "style" not in svg and "<script" not in svg
    assert 'role="img"' in svg
    title_id, desc_id = re.search(r'aria-labelledby="([^" ]+) ([^"]+)"', svg).groups()
    assert f'<title id="{title_id}">{chart.title}</title>' in svg
    assert f'<desc id="{desc_id}">{chart.summary}</desc>' in svg
    assert len(chart.rows) == 3


def test_pace_chart_shades_the_target_band_and_colours_each_recording():
    chart = pace_chart(points(120.0, 145.0, 175.0), target=(130, 160))
    svg = str(chart.svg)
    band = re.search(
        r'<rect x="48" y="([\d.]+)" width="536" height="([\d.]+)" fill="#d1e7dd"/>', svg
    )
    assert band, "the 130–160 band is shaded"
    assert ">130</text>" in svg and ">160</text>" in svg
    assert svg.count("<circle") == 3
    assert 'fill="#0d6efd"' in svg and 'fill="#198754"' in svg and 'fill="#dc3545"' in svg
    assert [row[1:] for row in chart.rows] == [("120", "under"), ("145", "inside"), ("175", "over")]
    assert chart.summary == (
        "3 recordings, 1 inside the target of 130 to 160 words per minute; the latest: 175."
    )


def test_pace_chart_draws_a_faster_take_higher_up():
    svg = str(pace_chart(points(100.0, 200.0), target=(130, 160)).svg)
    slow, fast = (float(y) for y in re.findall(r'<circle cx="[\d.]+" cy="([\d.]+)"', svg))
    assert fast < slow  # SVG's y grows downwards
    assert all(0 <= y <= 240 for y in (slow, fast))


def test_pace_chart_skips_recordings_without_speech_and_is_honest_when_none_has_any():
    chart = pace_chart(points(None, 150.0), target=(130, 160))
    assert len(chart.rows) == 1 and str(chart.svg).count("<circle") == 1
    empty = pace_chart(points(None), target=(130, 160))
    assert empty.is_empty and "No analysed recording with speech yet." in str(empty.svg)


def test_two_recordings_on_one_day_get_different_labels():
    same_day = points(140.0, 150.0, step=timedelta(hours=3))
    for chart in (pace_chart(same_day, target=(130, 160)), pauses_chart(same_day), split(same_day)):
        svg = str(chart.svg)
        assert ">02 Mar 09:00</text>" in svg and ">02 Mar 12:00</text>" in svg
        assert chart.rows[0][0] != chart.rows[1][0]
        assert chart.rows[0][0] == "02 Mar 2026 09:00"


def test_pauses_chart_draws_one_bar_per_recording_tall_as_its_count():
    delivery = [
        DeliveryPoint(T0, pauses=1),
        DeliveryPoint(T0 + timedelta(days=1), pauses=6),
        DeliveryPoint(T0 + timedelta(days=2), pauses=0),
    ]
    chart = pauses_chart(delivery)
    heights = [float(h) for h in re.findall(r'height="([\d.]+)" fill="#0d6efd"', str(chart.svg))]
    assert len(heights) == 3
    assert heights[1] > heights[0] > heights[2] == 0
    assert chart.rows == [
        ("02 Mar 2026 09:00", "1"),
        ("03 Mar 2026 09:00", "6"),
        ("04 Mar 2026 09:00", "0"),
    ]
    assert "the latest had 0 pauses of a second or longer, the fewest was 0." in chart.summary
    assert pauses_chart([DeliveryPoint(T0)]).is_empty


def test_split_chart_stacks_each_recording_and_marks_the_budget_boundaries():
    delivery = [
        DeliveryPoint(T0, split=(40, 40, 20)),
        DeliveryPoint(T0 + timedelta(days=1), split=(18, 61, 21)),
    ]
    chart = split(delivery)
    svg = str(chart.svg)
    assert svg.count('stroke-dasharray="4 4"') == 2  # at 20% and 80%
    assert ">20%</text>" in svg and ">80%</text>" in svg
    # Three stacked parts per recording (and three legend swatches).
    for colour in ("#6f42c1", "#0d6efd", "#20c997"):
        assert svg.count(f'fill="{colour}"') == 3
    assert "Situation + Task (20%)" in svg and "Action (60%)" in svg
    assert chart.headers == ("When", "Situation + Task", "Action", "Result + Learning")
    assert chart.rows[1] == ("03 Mar 2026 09:00", "18%", "61%", "21%")
    assert chart.summary == (
        "2 recordings with section marks; the latest: Situation + Task 18%, Action 61%, "
        "Result + Learning 21% (budget 20/60/20)."
    )


def test_a_taller_section_share_draws_a_taller_part():
    svg = str(split([DeliveryPoint(T0, split=(10, 70, 20))]).svg)
    bars = re.findall(r'height="([\d.]+)" fill="(#[0-9a-f]{6})"><title>', svg)
    height = {colour: float(h) for h, colour in bars}
    assert height["#0d6efd"] > height["#20c997"] > height["#6f42c1"]  # 70% > 20% > 10%


def test_split_chart_without_marks_says_so():
    chart = split(points(150.0, split=None))
    assert chart.is_empty and "No analysed recording with section marks yet." in str(chart.svg)
    assert not split(points(150.0)).is_empty  # positive control


def test_chart_text_is_escaped():
    label_free = split_chart(
        [DeliveryPoint(T0, split=(20, 60, 20))],
        budget=TIME_BUDGET,
        labels={**BUDGET_LABELS, "action": "<b>Action</b>"},
    )
    svg = str(label_free.svg)
    assert "<b>" not in svg and "&lt;b&gt;Action&lt;/b&gt;" in svg
