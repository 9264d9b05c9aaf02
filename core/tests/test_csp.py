"""The Content-Security-Policy: on every response, strict, and nothing in the project that it would refuse.

A template, a Python module that builds HTML, or a script that parses a string as HTML cannot bring
back what issue 9 removed (inline scripts and handlers, names inserted as HTML by the maps): these
tests read every such file of the project, so a new module inherits the check without a new test."""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from anzhi.env import SettingError, map_tile_sources
from tests.html_policy import policy_violations
from tests.personas import World

ROOT = Path(settings.BASE_DIR)
NOT_OURS = {".venv", "var", "node_modules", ".git", "build"}


def project_files(pattern: str) -> list[Path]:
    return sorted(p for p in ROOT.rglob(pattern) if not NOT_OURS & set(p.relative_to(ROOT).parts))


TEMPLATES = [p for p in project_files("*.html") if "templates" in p.relative_to(ROOT).parts]
PYTHON = [p for p in project_files("*.py")
          if not {"tests", "migrations", "bench", "scripts"} & set(p.relative_to(ROOT).parts)]
SCRIPTS = [p for p in project_files("*.js") if "static" in p.relative_to(ROOT).parts]


def test_the_walk_finds_the_project_files() -> None:
    names = {p.relative_to(ROOT).as_posix() for p in TEMPLATES + SCRIPTS}
    assert {"templates/base.html", "risk/templates/risk/site_plan.html", "risk/static/risk/site_plan.js",
            "core/static/core/anzhi.js"} <= names


TEMPLATE_COMMENT = re.compile(r"{#.*?#}|{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", re.DOTALL)


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_template_holds_nothing_the_policy_refuses(path: Path) -> None:
    # Behaviour goes in a static file (core/static/core/anzhi.js: data-confirm, data-print …), data for a
    # script through json_script or data- attributes, presentation in a class of a stylesheet.
    assert policy_violations(TEMPLATE_COMMENT.sub("", path.read_text(encoding="utf-8"))) == []


# ``{{ a.b.c|default:a.b.d }}``: a filter's argument, unlike its value, raises when ``a.b`` is empty — a
# 500 for every user of the page. {% firstof a.b.c a.b.d "—" %} says the same and never raises.
FILTER_ARG_THROUGH_RELATION = re.compile(r"\|\w+:([A-Za-z_]\w*(?:\.\w+){2,})")


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_template_filter_arguments_do_not_look_through_relations(path: Path) -> None:
    assert FILTER_ARG_THROUGH_RELATION.findall(path.read_text(encoding="utf-8")) == []


def _string_literals(path: Path) -> list[tuple[int, str]]:
    """The string literals of a module, adjacent literals ("<svg " f'style=…') joined as Python joins them."""
    kinds = {tokenize.STRING} | ({tokenize.FSTRING_MIDDLE} if hasattr(tokenize, "FSTRING_MIDDLE") else set())
    between = {tokenize.NL, tokenize.COMMENT} | (
        {tokenize.FSTRING_START, tokenize.FSTRING_END, tokenize.OP} if hasattr(tokenize, "FSTRING_START") else set())
    literals: list[tuple[int, str]] = []
    current: list[str] = []
    start = 0
    source = path.read_text(encoding="utf-8")
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type in kinds:
            start = start if current else token.start[0]
            current.append(token.string)
        elif token.type not in between and current:
            literals.append((start, "".join(current)))
            current = []
    return [(line, text) for line, text in literals if "<" in text]


@pytest.mark.parametrize("path", PYTHON, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_html_built_in_python_holds_nothing_the_policy_refuses(path: Path) -> None:
    found = [(line, v) for line, text in _string_literals(path) for v in policy_violations(text)]
    assert found == []


def test_python_widgets_set_no_inline_style() -> None:
    # Form widgets take their attributes as a dict, never written as style="…" in the source.
    offenders = [f"{p.relative_to(ROOT)}:{n}" for p in PYTHON
                 for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
                 if re.search(r"""["']style["']\s*:""", line)]
    assert offenders == []


# Our scripts put text into the page as text: never an HTML string into innerHTML & co, never a string
# into a Leaflet tooltip or popup (which parse strings as HTML; they take a DOM node built with textContent).
UNSAFE_SCRIPT = [
    ("assigns HTML", re.compile(r"\.(?:inner|outer)HTML\s*\+?=(?!=)")),
    ("inserts HTML", re.compile(r"insertAdjacentHTML|document\.write|createContextualFragment")),
    ("evaluates code", re.compile(r"\beval\s*\(|new\s+Function\s*\(|set(?:Timeout|Interval)\s*\(\s*['\"`]")),
    ("gives Leaflet a string", re.compile(r"\.(?:bindTooltip|bindPopup|setContent|setTooltipContent|setPopupContent)"
                                          r"\(\s*(?:['\"`(]|[^()]*\+)")),
]


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_project_script_never_parses_a_string_as_html(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    found = [f"{what}: line {source.count(chr(10), 0, m.start()) + 1}"
             for what, pattern in UNSAFE_SCRIPT for m in pattern.finditer(source)]
    assert found == []


def test_policy_allows_scripts_and_styles_only_from_this_site() -> None:
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"] and directives["base-uri"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert not any("unsafe" in source for values in directives.values() for source in values)


def _policy(response) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    header = response.headers.get("Content-Security-Policy")
    assert header, f"no Content-Security-Policy on {response.status_code} {response.get('Content-Type')}"
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def test_policy_is_on_pages_api_and_error_pages(client: Client, world: World) -> None:
    anonymous = [client.get("/accounts/login/"), client.get("/api/v1/me/"), client.get("/healthz")]
    client.force_login(world.users["township_a"])
    pages = [client.get("/"), client.get("/enterprises/"), client.get("/enterprises/", HTTP_HX_REQUEST="true"),
             client.get("/api/v1/enterprises/"), client.get("/api/v1/openapi.json"),
             client.get("/api/v1/docs/"), client.get("/api/v1/docs/?script="),
             client.get(f"/enterprises/{world.enterprises['ent_b1'].pk}/"),  # out of scope: 404
             client.get("/no-such-page/")]
    client.force_login(world.users["sysadmin"])
    refused = [client.get("/enterprises/"), client.get("/sysadmin/")]
    assert {200, 403, 404} <= {r.status_code for r in anonymous + pages + refused}
    for response in anonymous + pages + refused:
        policy = _policy(response)
        assert policy["script-src"] == ["'self'"], response
        assert policy["style-src"] == ["'self'"], response


def test_api_docs_start_swagger_from_a_file() -> None:
    client = Client()
    html = client.get("/api/v1/docs/").content.decode()
    assert policy_violations(html) == []
    assert "?script=" in html


@pytest.mark.parametrize(("template", "source"), [
    ("https://t{s}.tianditu.gov.cn/vec_w/wmts?tk=KEY&x={x}", "https://*.tianditu.gov.cn"),
    ("http://10.1.2.3:8080/tiles/{z}/{x}/{y}.png", "http://10.1.2.3:8080"),
    ("https://{s}.tile.example.org/{z}/{x}/{y}.png", "https://*.tile.example.org"),
])
def test_map_tile_server_is_allowed_for_images(template: str, source: str) -> None:
    assert map_tile_sources(template) == [source]


@pytest.mark.parametrize("template", ["javascript:alert(1)//{z}", "//tiles.example/{z}", "https://a.{s}.example/{z}"])
def test_map_tile_url_that_no_policy_can_name_is_refused(template: str) -> None:
    with pytest.raises(SettingError):
        map_tile_sources(template)
