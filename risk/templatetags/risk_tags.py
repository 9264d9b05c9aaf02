from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html

from risk.choices import GRADE_COLOUR, GRADE_SHORT, Grade

register = template.Library()


@register.simple_tag
def grade_badge(grade: str | None, alert: bool = False) -> str:
    """A coloured badge for a risk grade; ``alert`` marks a red point with an open hazard."""
    if not grade:
        return format_html('<span class="badge text-bg-light border" data-grade="">{}</span>', "未评估")
    extra = format_html(' <span title="{}">⚠</span>', "红色风险点有未销号隐患") if alert else ""
    # Colours come from the .grade-* classes (core/anzhi.css): the Content-Security-Policy refuses inline styles.
    return format_html('<span class="badge grade-{}" data-grade="{}">{} {}{}</span>',
                       grade, grade, GRADE_SHORT[grade], Grade(grade).label, extra)


@register.filter
def grade_colour(grade: str | None) -> str:
    return GRADE_COLOUR.get(grade or "", "#9e9e9e")


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    return mapping.get(key) if hasattr(mapping, "get") else None
