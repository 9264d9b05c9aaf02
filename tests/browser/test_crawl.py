"""Every menu of every demo role, on a desk (1366 px) and on a phone (390 px), read as a person reads it.

Issue 14: "a browser test walks every menu of every role at 1366 px and at 390 px: no horizontal scroll,
no English words outside the API pages, no raw field names, no ISO dates, no "None", no 4xx/5xx from a
link the page itself offers".

For each role the crawl opens the home page and every menu entry, then follows the links each page offers
within the site, breadth first and bounded: one page of each kind (the path with its ids replaced by ``N``
without its query string) up to three clicks from home (two for a role's second account). Each page it opens is read at
1366 px, then the same page is narrowed to 390 px and read again (media queries apply at once; no reload).
Links it does not open are still fetched (a few of each kind, without rendering) and must not answer 4xx
or 5xx. Downloads, logout, the API, the Django admin and POST forms are left alone.

What the person sees is the text of visible elements, the visible options of selects, placeholders and
button captions: form values (an ``<input type=date>`` holds ISO dates by HTML's definition) are not text.
Text a person typed or a machine named and that no translation may change is marked where it is shown, the
HTML way, with ``translate="no"`` (login names, file names, hashes), or shown as ``<code>``/``<kbd>``
(what a person types literally); the crawl does not read those."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urldefrag, urlsplit

import pytest
from playwright.sync_api import Page

pytestmark = pytest.mark.browser

# One account of each role is walked deep (home → menu → list → detail, up to 60 kinds of page); the other demo
# accounts of a role (another department, township or enterprise: the same menus over other data) to the pages
# their menus list and the pages those link to, up to 25 kinds. (Bounds keep the walk to a few minutes on 2 cores.)
DEEP, SHALLOW = (3, 60), (2, 25)
ROLES = {"anweiban": DEEP, "yingji": DEEP, "dongshan": DEEP, "qiye": DEEP, "zhifa": DEEP, "zhuanjia": DEEP,
         "xiaofang": SHALLOW, "zhujian": SHALLOW, "shanzao": SHALLOW, "jingkaiqu": SHALLOW, "qiye2": SHALLOW}
DESK = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
FETCH_PER_KIND = 1  # links of a kind fetched (not rendered) besides the one opened
SKIP_PREFIXES = ("/accounts/logout/", "/api/", "/sysadmin/", "/admin/", "/i18n/", "/jsi18n/", "/static/", "/media/",
                 "/files/", "/healthz")
SKIP_SUFFIXES = (".xlsx", ".docx", ".csv", ".pdf", ".zip", ".png", ".jpg", ".svg", ".json", ".geojson", ".js")
SKIP_QUERY = ("export", "download", "format")

# Words a Chinese reader meets on these pages as they are: acronyms and brand names, units, the language's own
# name in the language switch.
ALLOWED_WORDS = {"API", "Excel", "QR", "PDF", "HTMX", "LEC", "LS", "MES", "LEC法", "Word", "WPS", "English",
                 "OpenAPI", "Leaflet", "OpenStreetMap", "GPS", "ID", "URL", "IP", "CSV", "HTTP", "HTTPS", "JSON",
                 "GB", "AQ", "SHA", "HMAC", "Merkle", "km", "kg", "mm", "cm", "kPa", "MPa", "kW", "kV", "m³", "ppm",
                 "LNG", "LPG", "PLC", "DCS", "SIS", "GDS", "HAZOP", "SIL", "PPE", "CO", "AED", "POS", "APP", "App",
                 "Android", "iOS", "Chrome", "Firefox", "Edge", "Safari", "Windows", "Linux", "Bootstrap", "Django",
                 "docx", "xlsx", "pdf", "png", "jpg", "jpeg", "GIS", "TOTP", "MFA", "DOCX", "XLSX", "CSP", "PNG", "JPG",
                 "JPEG", "WGS", "Unicode", "SQL", "PostgreSQL", "SQLite", "Redis", "Python", "UTC"}
# Login names are what people type to sign in (shown beside a person's name).
LOGIN_NAMES = {*ROLES, "sysadmin", "secadmin", "auditadmin", "wangge"}
# Literal text a person copies as it is: template syntax shown to template authors, web addresses, file names.
LITERAL = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|https?://\S+|[^\s/\\：:，,（）()]+\.(?:png|jpe?g|gif|webp|pdf|docx?|xlsx?|csv|zip|txt)\b",
                     re.IGNORECASE)
# Names another journey makes hostile on purpose in the shared demo server (tests/browser/test_xss.py): user data,
# not words of the interface.
HOSTILE_NAMES = re.compile(r"XSS[^\s\"]*\"><img src=x onerror=alert\(1\)><script>alert\(1\)</script>")
WORD = re.compile(r"(?<![A-Za-z0-9_.@/-])[A-Za-z]{3,}(?![A-Za-z0-9_@/-])")
FIELD_NAME = re.compile(r"(?<![A-Za-z0-9_./-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![A-Za-z0-9_/-])")
ISO_DATE = re.compile(r"(?<!\d)\d{4}-\d{2}-\d{2}(?!\d)")
NONE = re.compile(r"(?<![A-Za-z])None(?![A-Za-z])")
SCIENTIFIC = re.compile(r"(?<![A-Za-z0-9])\d+(?:\.\d+)?[Ee][+-]\d+(?![0-9])")

# The person's text of the page: visible text nodes, the options a select offers, placeholders and captions.
READ_TEXT = """() => {
  const out = [];
  const skip = 'script,style,noscript,template,textarea,select,svg title,code,kbd,samp,[translate=no]';
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.nodeValue.trim();
    if (!text) continue;
    const el = node.parentElement;
    if (!el || el.closest(skip)) continue;
    if (!el.checkVisibility({visibilityProperty: true, opacityProperty: false})) continue;
    out.push(text);
  }
  for (const el of document.querySelectorAll('select')) {
    if (!el.checkVisibility()) continue;
    for (const option of el.options) out.push(option.text.trim());
  }
  for (const el of document.querySelectorAll('[placeholder], input[type=submit], input[type=button]')) {
    if (!el.checkVisibility()) continue;
    out.push(el.getAttribute('placeholder') || el.value || '');
  }
  return out.filter(Boolean);
}"""

# What sticks out past the right edge of the window: the outermost such elements, named for the report.
OVERFLOW = """() => {
  const width = window.innerWidth;
  const doc = document.documentElement;
  if (doc.scrollWidth <= width + 1) return null;
  const found = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.right <= width + 1 || box.width === 0) continue;
    if (el.parentElement && el.parentElement.getBoundingClientRect().right > width + 1) continue;
    let scroller = el.parentElement, clipped = false;
    for (; scroller && scroller !== document.body; scroller = scroller.parentElement) {
      const style = getComputedStyle(scroller);
      if (style.overflowX !== 'visible' && scroller.getBoundingClientRect().right <= width + 1) { clipped = true; break; }
    }
    if (clipped) continue;
    const name = el.tagName.toLowerCase() + (el.className && typeof el.className === 'string'
      ? '.' + el.className.trim().split(/\\s+/).slice(0, 3).join('.') : '');
    found.push(name + ' [' + Math.round(box.right) + 'px] ' + (el.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 40));
    if (found.length >= 3) break;
  }
  return {scrollWidth: doc.scrollWidth, width, found};
}"""

LINKS = """() => Array.from(document.querySelectorAll('a[href]'))
  .filter(a => !a.hasAttribute('download') && !a.closest('[hx-boost=false]'))
  .map(a => a.getAttribute('href'))"""


def kind_of(url: str) -> str:
    """The kind of a page: its path with ids normalised (a query string filters or pages the same page)."""
    parts = urlsplit(url)
    path = re.sub(r"/\d+(?=/|$)", "/N", parts.path)
    path = re.sub(r"/[0-9a-f]{8}-[0-9a-f-]{27,}(?=/|$)", "/U", path)
    return path


def site_link(href: str) -> str | None:
    """A link within the site that a GET may follow (no download, logout, API or admin), as path?query."""
    url = urldefrag(href.strip())[0]
    parts = urlsplit(url)
    if parts.scheme and parts.scheme not in ("http", "https"):
        return None
    if parts.netloc and not parts.netloc.startswith("127.0.0.1"):
        return None
    path = parts.path
    if not path.startswith("/") or path.startswith(SKIP_PREFIXES) or path.lower().endswith(SKIP_SUFFIXES):
        return None
    if any(name in SKIP_QUERY for name, _value in parse_qsl(parts.query, keep_blank_values=True)):
        return None
    return path + (f"?{parts.query}" if parts.query else "")


def text_problems(texts: list[str], *, api_page: bool) -> list[str]:
    problems = []
    for text in texts:
        snippet = text.replace("\n", " ")[:60]
        if NONE.search(text):
            problems.append(f"None shown: {snippet!r}")
        if ISO_DATE.search(text):
            problems.append(f"ISO date: {snippet!r}")
        if SCIENTIFIC.search(text):
            problems.append(f"number in scientific notation: {snippet!r}")
        if api_page:
            continue
        plain = LITERAL.sub("", HOSTILE_NAMES.sub("", text))
        fields = FIELD_NAME.findall(plain)
        if fields:
            problems.append(f"raw field name {fields[0]!r}: {snippet!r}")
        words = [w for w in WORD.findall(plain)
                 if w not in ALLOWED_WORDS and w not in LOGIN_NAMES and w != "None"]
        if words and not fields:
            problems.append(f"English word {words[0]!r}: {snippet!r}")
    return problems


@dataclass
class Crawl:
    """One role's walk: what was opened, what was fetched, what is wrong."""

    base: str
    max_depth: int = DEEP[0]
    max_pages: int = DEEP[1]
    opened: dict[str, str] = field(default_factory=dict)  # kind → url
    fetched: dict[str, int] = field(default_factory=dict)  # url → status
    problems: dict[str, list[str]] = field(default_factory=dict)  # problem → urls

    def report(self, url: str, problem: str) -> None:
        self.problems.setdefault(problem, [])
        if url not in self.problems[problem]:
            self.problems[problem].append(url)

    def read(self, page: Page, url: str, size: str) -> None:
        api_page = url.startswith("/api/")
        for problem in text_problems(page.evaluate(READ_TEXT), api_page=api_page):
            self.report(url, problem)
        overflow = page.evaluate(OVERFLOW)
        if overflow:
            widest = "; ".join(overflow["found"]) or "?"
            self.report(url, f"horizontal scroll at {size} ({overflow['scrollWidth']} px > {overflow['width']} px): "
                             f"{widest}")

    def open(self, page: Page, url: str, offered_by: str) -> list[str]:
        """Open a page, read it at both sizes; return the site links it offers."""
        page.set_viewport_size(DESK)
        response = page.goto(url)
        status = response.status if response else 0
        self.fetched[url] = status
        if status >= 400:
            self.report(offered_by, f"link to {url} answers {status}")
            return []
        if "text/html" not in (response.headers.get("content-type", "") if response else ""):
            return []
        landed = urlsplit(page.url)
        if landed.path.startswith("/accounts/login/"):
            self.report(url, "sent to the login page")
            return []
        self.read(page, url, "1366 px")
        links = [link for href in page.evaluate(LINKS) if (link := site_link(href))]
        page.set_viewport_size(PHONE)
        self.read(page, url, "390 px")
        return links

    def fetch(self, page: Page, url: str, offered_by: str) -> None:
        if url in self.fetched:
            return
        response = page.context.request.get(self.base + url, max_redirects=5)
        self.fetched[url] = response.status
        if response.status >= 400:
            self.report(offered_by, f"link to {url} answers {response.status}")

    def walk(self, page: Page) -> None:
        menus = [site_link(href) for href in page.evaluate(
            "() => Array.from(document.querySelectorAll('#mainnav a.nav-link[href]')).map(a => a.getAttribute('href'))")]
        queue: deque[tuple[str, int, str]] = deque([("/", 0, "/")] + [(m, 1, "/") for m in menus if m])
        extra: dict[str, int] = {}
        while queue:
            url, depth, offered_by = queue.popleft()
            kind = kind_of(url)
            if kind in self.opened or len(self.opened) >= self.max_pages:
                if url not in self.fetched and extra.get(kind, 0) < FETCH_PER_KIND:
                    extra[kind] = extra.get(kind, 0) + 1
                    self.fetch(page, url, offered_by)
                continue
            self.opened[kind] = url
            for link in self.open(page, url, offered_by):
                if depth < self.max_depth:
                    queue.append((link, depth + 1, url))
                elif link not in self.fetched and extra.get(kind_of(link), 0) < FETCH_PER_KIND:
                    extra[kind_of(link)] = extra.get(kind_of(link), 0) + 1
                    self.fetch(page, link, url)

    def summary(self) -> str:
        lines = [f"{problem}\n    on {', '.join(urls[:4])}{' …' if len(urls) > 4 else ''}"
                 for problem, urls in sorted(self.problems.items())]
        return f"{len(self.problems)} problems over {len(self.opened)} pages opened:\n" + "\n".join(lines)


@pytest.mark.parametrize("username", ROLES)
def test_every_menu_reads_as_chinese_on_desk_and_phone(username: str, new_page: Callable[..., Page],
                                                       live_server_url: str) -> None:
    page = new_page(username)
    depth, pages = ROLES[username]
    crawl = Crawl(live_server_url, max_depth=depth, max_pages=pages)
    crawl.walk(page)
    assert len(crawl.opened) > 5, crawl.opened
    assert not crawl.problems, crawl.summary()
