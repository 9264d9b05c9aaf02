"""Server-side SVG bar charts: every bar is a link to the rows behind it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from django.utils.safestring import SafeString, mark_safe


@dataclass
class Bar:
    label: str
    value: float  # 0-100 for percentages
    text: str
    url: str
    tone: str = "#0d6efd"


def hbar_chart(bars: Sequence[Bar], *, title: str, max_value: float = 100.0, label_width: int = 170) -> SafeString:
    row_h, width = 24, 560
    plot = width - label_width - 70
    height = row_h * len(bars) + 10
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" '
             f'class="w-100 chart" aria-label="{escape(title)}"><title>{escape(title)}</title>']
    for i, bar in enumerate(bars):
        y = 5 + i * row_h
        w = 0 if max_value <= 0 else max(0.0, min(1.0, bar.value / max_value)) * plot
        label = bar.label if len(bar.label) <= 12 else bar.label[:11] + "…"
        parts.append(
            f'<a href="{escape(bar.url)}"><title>{escape(bar.label)}：{escape(bar.text)}</title>'
            f'<text x="{label_width - 6}" y="{y + 15}" text-anchor="end" font-size="12">{escape(label)}</text>'
            f'<rect x="{label_width}" y="{y + 3}" width="{plot}" height="16" fill="#e9ecef"/>'
            f'<rect x="{label_width}" y="{y + 3}" width="{w:.1f}" height="16" fill="{escape(bar.tone)}"/>'
            f'<text x="{label_width + plot + 6}" y="{y + 15}" font-size="12">{escape(bar.text)}</text></a>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped
