"""Grade colours are classes (the Content-Security-Policy refuses inline styles): the stylesheet and
risk.choices.GRADE_COLOUR, which the maps and the .docx cards use, must name the same colours."""

from __future__ import annotations

import re

from django.conf import settings
from django.template import Context, Template

from risk.choices import GRADE_COLOUR, Grade


def test_stylesheet_grade_colours_are_the_map_colours() -> None:
    css = (settings.BASE_DIR / "core/static/core/anzhi.css").read_text()
    for grade in Grade.values:
        found = re.search(rf"\.grade-{grade}, \.grade-bg-{grade} \{{ background: (#[0-9a-f]{{6}}); \}}", css)
        assert found and found.group(1) == GRADE_COLOUR[grade], grade


def test_grade_badge_is_coloured_by_class() -> None:
    html = Template("{% load risk_tags %}{% grade_badge 'red' True %}").render(Context())
    assert 'class="badge grade-red"' in html and "style=" not in html
