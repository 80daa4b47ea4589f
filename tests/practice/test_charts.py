"""Server-drawn SVG charts (pure, no database)."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from practice.charts import (
    TimePoint,
    ratings_chart,
    stories_chart,
    times_chart,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def points(*seconds):
    return [TimePoint(T0 + timedelta(days=i), s) for i, s in enumerate(seconds)]


def all_charts():
    return [
        times_chart(points(100, 150, 200), band_min=120, band_max=180),
        ratings_chart([("Dive Deep", 2.0, 1), ("Ownership", 4.5, 2)]),
        stories_chart([date(2026, 3, 2), date(2026, 3, 5)], total=4),
    ]


@pytest.mark.parametrize("chart", all_charts(), ids=["times", "ratings", "stories"])
def test_every_chart_is_labelled_svg_without_inline_styles(chart):
    svg = str(chart.svg)
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert "style" not in svg and "<script" not in svg
    assert 'role="img"' in svg
    title_id, desc_id = re.search(r'aria-labelledby="([^" ]+) ([^"]+)"', svg).groups()
    assert f'<title id="{title_id}">{chart.title}</title>' in svg
    assert f'<desc id="{desc_id}">' in svg
    assert chart.rows  # the numbers, for the table beside the chart


def test_times_chart_colours_each_answer_by_the_band_and_says_so_in_words():
    chart = times_chart(points(100, 150, 200), band_min=120, band_max=180)
    svg = str(chart.svg)
    assert svg.count("<circle") == 3
    assert 'fill="#0d6efd"' in svg and 'fill="#198754"' in svg and 'fill="#dc3545"' in svg
    assert chart.summary == (
        "3 timed answers, 1 inside the band of 2:00 to 3:00; the latest took 3:20."
    )
    assert [row[1:] for row in chart.rows] == [
        ("1:40", "under"),
        ("2:30", "inside"),
        ("3:20", "over"),
    ]


def test_times_chart_keeps_a_very_long_answer_inside_the_drawing():
    svg = str(times_chart(points(150, 3000), band_min=120, band_max=180).svg)
    ys = [float(y) for y in re.findall(r'<circle cx="[\d.]+" cy="([\d.-]+)"', svg)]
    assert all(0 <= y <= 240 for y in ys)


def test_ratings_chart_lists_the_weakest_principle_and_escapes_names():
    chart = ratings_chart([("<b>Bold</b> & Co", 1.5, 3), ("Ownership", 4.0, 1)])
    svg = str(chart.svg)
    assert "<b>" not in svg and "&lt;b&gt;Bold&lt;/b&gt; &amp; Co" in svg
    assert svg.count("<rect") == 2
    assert chart.summary == "Ratings for 2 principles; lowest: <b>Bold</b> & Co at 1.5 out of 5."


def test_stories_chart_counts_stories_practised_at_least_once():
    chart = stories_chart([date(2026, 3, 5), date(2026, 3, 2)], total=4)
    assert chart.summary == "2 of 4 stories practised at least once."
    assert chart.rows == [("02 Mar 2026", "1"), ("05 Mar 2026", "2")]


@pytest.mark.parametrize(
    ("chart", "message"),
    [
        (times_chart([], band_min=120, band_max=180), "No timed answers yet."),
        (ratings_chart([]), "No rated answers yet."),
        (stories_chart([], total=0), "No stories in the bank yet."),
    ],
)
def test_empty_charts_say_why(chart, message):
    assert chart.summary == message and message in str(chart.svg)
    assert chart.is_empty


def test_stories_chart_with_stories_but_no_practice_is_zero():
    chart = stories_chart([], total=3)
    assert chart.summary == "0 of 3 stories practised at least once."
