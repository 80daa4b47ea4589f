"""STAND-IN: replaced by helper A (practice/waveform.py per the shared contract)."""

from django.utils.html import escape


def waveform_svg(figures: dict, *, marks: list[dict] | None = None) -> str:
    title = escape(f"Waveform of {figures.get('duration_s', 0)} seconds")
    return f'<svg role="img" class="practice-waveform" viewBox="0 0 200 40"><title>{title}</title></svg>'
