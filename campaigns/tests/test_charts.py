"""The overview charts are SVG built in Python: every name in them is text, and they carry no inline style."""

from __future__ import annotations

from campaigns.charts import Bar, hbar_chart
from tests.html_policy import policy_violations

PAYLOAD = '"><img src=x onerror=alert(1)><script>alert(1)</script>'


def test_chart_shows_names_with_markup_as_text() -> None:
    svg = hbar_chart([Bar(f"方案{PAYLOAD}", 50, f"1/2{PAYLOAD}", f"/campaigns/1/tasks/?q={PAYLOAD}")],
                     title=f"标题{PAYLOAD}")
    assert "<img" not in svg and "<script" not in svg and "onerror=alert(1)>" not in svg
    assert "&lt;script&gt;" in svg and "&quot;&gt;&lt;img" in svg
    assert policy_violations(svg) == []
