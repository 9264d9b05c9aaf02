"""What the Content-Security-Policy (anzhi/settings.py) refuses, found in HTML source: one definition
for the template walk (core/tests/test_csp.py) and the page crawl (tests/test_pages.py)."""

from __future__ import annotations

import re

# A <script> element is allowed only with a src (a static file) or as data (json_script's
# type="application/json"), never with code between its tags.
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
CHECKS: list[tuple[str, re.Pattern[str]]] = [
    ("inline event handler (on…= attribute)", re.compile(r"<[a-z][^>]*?\son[a-z]+\s*=", re.IGNORECASE | re.DOTALL)),
    ("javascript: URL", re.compile(r"javascript\s*:", re.IGNORECASE)),
    ("inline <style> element", re.compile(r"<style\b", re.IGNORECASE)),
    ("inline style= attribute", re.compile(r"<[a-z][^>]*?\sstyle\s*=", re.IGNORECASE | re.DOTALL)),
    ("htmx code attribute (hx-on, hx-vars, js: values)",
     re.compile(r"\shx-on[:\-=]|\shx-vars\s*=|\shx-(?:vals|headers)\s*=\s*['\"]\s*(?:js|javascript):", re.IGNORECASE)),
]


def policy_violations(html: str) -> list[str]:
    found = []
    for match in SCRIPT_TAG.finditer(html):
        attrs = match.group(1)
        if re.search(r"\ssrc\s*=", attrs) or re.search(r"type\s*=\s*['\"]application/(?:ld\+)?json['\"]", attrs):
            continue
        found.append(f"inline <script>: {match.group(0)[:80]}")
    for what, pattern in CHECKS:
        for match in pattern.finditer(html):
            line = html.count("\n", 0, match.start()) + 1
            found.append(f"{what} at line {line}: {html[max(0, match.start() - 20):match.end() + 40]!r}")
    return found
