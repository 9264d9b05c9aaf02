"""What the Content-Security-Policy (anzhi/settings.py) refuses, found in HTML source: one definition
for the template walk (core/tests/test_csp.py), the page crawl (tests/test_pages.py) and the tests of
HTML built in Python.

The source is read as HTML (attribute values are values: an escaped name that contains " onerror=" is
not a handler), leniently enough for Django template source."""

from __future__ import annotations

import re
from html.parser import HTMLParser

HANDLER = re.compile(r"on[a-z]+")  # onclick, onerror … (template variables like on_time are not attributes)
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "xlink:href"}
DATA_TYPES = {"application/json", "application/ld+json"}


class _PolicyReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def _report(self, what: str, tag: str) -> None:
        line, _column = self.getpos()
        self.found.append(f"{what} in <{tag}> at line {line}")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name.lower(): (value or "") for name, value in attrs}
        if tag == "script" and "src" not in names and names.get("type", "").strip().lower() not in DATA_TYPES:
            self._report("inline script", tag)
        if tag == "style":
            self._report("inline <style> element", tag)
        for name, value in names.items():
            if HANDLER.fullmatch(name):
                self._report(f"inline event handler {name}=", tag)
            elif name == "style":
                self._report("inline style= attribute", tag)
            elif name.startswith("hx-on") or name == "hx-vars":
                self._report(f"htmx code attribute {name}", tag)
            elif name in ("hx-vals", "hx-headers") and re.match(r"\s*(js|javascript):", value, re.IGNORECASE):
                self._report(f"htmx code value {name}", tag)
            if name in URL_ATTRIBUTES and re.match(r"\s*javascript:", value, re.IGNORECASE):
                self._report(f"javascript: URL in {name}", tag)

    handle_startendtag = handle_starttag


def policy_violations(html: str) -> list[str]:
    reader = _PolicyReader()
    # "<!" that opens no comment or doctype (a regular expression's look-behind in Python source) would
    # stop the parser; it is not markup.
    reader.feed(re.sub(r"<!(?!--|doctype)", "&lt;!", html, flags=re.IGNORECASE))
    reader.close()
    return reader.found
