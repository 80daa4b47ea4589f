"""The waveform SVG: safe under the CSP, labelled, with the pauses and marks where they are."""

import xml.etree.ElementTree as ET

from practice.delivery import ENVELOPE_POINTS
from practice.waveform import HEIGHT, WIDTH, waveform_svg

SVG = "{http://www.w3.org/2000/svg}"

FIGURES = {
    "duration_s": 100.0,
    "pauses": [{"start_s": 20.0, "end_s": 22.5}, {"start_s": 70.0, "end_s": 71.0}],
    "envelope": [0.0] * 10 + [0.8] * (ENVELOPE_POINTS - 20) + [0.0] * 10,
}
MARKS = [
    {"section": "situation", "at_ms": 0},
    {"section": "action", "at_ms": 25000},
    {"section": "result", "at_ms": 80000},
]


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def test_the_waveform_is_a_labelled_image_without_scripts_or_inline_styles():
    svg = waveform_svg(FIGURES, marks=MARKS)
    root = parse(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title").text == "Waveform of the recording"
    desc = root.find(f"{SVG}desc").text
    assert "1:40 of audio" in desc and "2 pauses" in desc and "Action at 0:25" in desc
    for element in root.iter():
        assert "style" not in element.attrib
        assert not any(name.startswith("on") for name in element.attrib)
        assert element.tag != f"{SVG}script"
    # the positive control for the checks above: the drawing is there
    assert root.find(f".//{SVG}polygon") is not None


def test_the_envelope_is_drawn_across_the_width():
    root = parse(waveform_svg(FIGURES))
    points = root.find(f".//{SVG}polygon").get("points").split()
    assert len(points) == 2 * ENVELOPE_POINTS
    xs = [float(point.split(",")[0]) for point in points]
    ys = [float(point.split(",")[1]) for point in points]
    assert min(xs) == 0 and max(xs) == WIDTH
    assert 0 < min(ys) < max(ys) < HEIGHT
    # loud in the middle, silent at the ends: the band is wider in the middle
    middle = ENVELOPE_POINTS // 2
    assert ys[middle] < ys[0]


def test_pauses_are_shaded_where_they_fall():
    rects = parse(waveform_svg(FIGURES)).findall(f".//{SVG}rect")
    pauses = [rect for rect in rects if rect.get("class") == "waveform-pause"]
    assert len(pauses) == 2
    assert float(pauses[0].get("x")) == WIDTH * 0.20
    assert float(pauses[0].get("width")) == WIDTH * 0.025
    assert pauses[0].find(f"{SVG}title").text == "Pause of 2.5 s at 0:20"


def test_section_marks_are_labelled_lines_at_their_time():
    root = parse(waveform_svg(FIGURES, marks=MARKS))
    groups = [g for g in root.iter(f"{SVG}g") if g.get("class") == "waveform-mark"]
    assert [g.find(f"{SVG}text").text for g in groups] == ["Situation", "Action", "Result"]
    assert [float(g.find(f"{SVG}line").get("x1")) for g in groups] == [0.0, 150.0, 480.0]
    assert groups[1].find(f"{SVG}title").text == "Action from 0:25"


def test_close_marks_put_their_labels_on_two_rows():
    close = [{"section": "situation", "at_ms": 0}, {"section": "task", "at_ms": 3000}]
    root = parse(waveform_svg(FIGURES, marks=close))
    rows = [
        float(t.get("y"))
        for t in root.iter(f"{SVG}text")
        if t.get("class") == "waveform-mark-label"
    ]
    assert rows[0] != rows[1]
    apart = parse(waveform_svg(FIGURES, marks=MARKS))
    rows = [
        float(t.get("y"))
        for t in apart.iter(f"{SVG}text")
        if t.get("class") == "waveform-mark-label"
    ]
    assert len(set(rows)) == 1


def test_without_marks_no_lines_are_drawn():
    root = parse(waveform_svg(FIGURES))
    assert [g for g in root.iter(f"{SVG}g") if g.get("class") == "waveform-mark"] == []


def test_malformed_marks_and_empty_figures_draw_without_failing():
    marks = [{"section": "<script>", "at_ms": 1}, {"section": "action", "at_ms": "x"}, "task"]
    root = parse(waveform_svg(FIGURES, marks=marks))
    assert [g for g in root.iter(f"{SVG}g") if g.get("class") == "waveform-mark"] == []
    empty = parse(waveform_svg({"duration_s": 0, "pauses": [], "envelope": []}))
    assert "0:00 of audio, no pauses" in empty.find(f"{SVG}desc").text
