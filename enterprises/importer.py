"""Bulk import of enterprise lists (.xlsx): validate every row first, then write all or nothing.

Re-importing a file updates the enterprises it names (matched by credit code) instead of duplicating
them. Writes are recorded in the change log (source: import), one event per created or updated
enterprise, inside the same transaction as the rows."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from core import audit
from core.audit import record_many
from core.imports import Importer, Outcome
from core.pinyin import search_text
from core.scoping import scope_for
from core.spreadsheet import Column, read_rows, template_bytes, text, to_bool, to_decimal_text, to_int
from enterprises import services
from enterprises.choices import RISK_FLAGS
from enterprises.credit_code import CreditCodeError, make_credit_code, validate_credit_code
from enterprises.industry import IndustryCodeError, validate_industry_code
from enterprises.models import Enterprise, EnterpriseDomain, rekey_enterprise_rows
from orgs.choices import UnitKind
from orgs.models import Domain, Jurisdiction, Unit, UnitAlias

COLUMNS: list[Column] = [
    Column("企业名称", "name", True, width=30),
    Column("统一社会信用代码", "credit_code", True, "18位，GB 32100-2015，含校验位", width=22),
    Column("所属乡镇（街道、园区）", "jurisdiction", True, "填写乡镇、街道或园区名称，如：东山街道", width=18),
    Column("行业领域", "domains", False, "多个用“、”分隔，如：工贸、消防", width=16),
    Column("监管部门", "departments", False, "多个用“、”分隔，如：市应急管理局", width=18),
    Column("国民经济行业代码", "industry_code", False, "GB/T 4754，如：3110 或 C", width=12),
    Column("详细地址", "address", width=30),
    Column("法定代表人", "legal_representative"),
    Column("主要负责人", "principal"),
    Column("安全管理人员", "safety_manager"),
    Column("联系电话", "phone"),
    Column("从业人员数", "employees", width=10),
    Column("规模以上", "above_scale", False, "是/否", width=10),
    Column("经度", "longitude", width=12),
    Column("纬度", "latitude", width=12),
    *[Column(str(label), name, False, "是/否", width=10) for name, label in RISK_FLAGS],
]
NOTE = ("企业名录导入模板：带*的列必填；统一社会信用代码用于识别企业，已登记的企业再次导入时更新信息；"
        "“是/否”列留空表示“否”。整个文件任何一行有错都不会导入，请按错误清单修改后重新上传。")
TEXT_FIELDS = ["name", "address", "legal_representative", "principal", "safety_manager", "phone"]
FLAG_FIELDS = [name for name, _label in RISK_FLAGS]
BOOL_COLUMNS = [("above_scale", "规模以上"), *[(n, str(lb)) for n, lb in RISK_FLAGS]]
TERRITORIAL_LEVELS = ("township", "subdistrict", "park", "village", "community", "county", "city")
CHUNK = 900  # stays under SQLite's bound-parameter limit
DEFER_PINYIN_OVER = 5000


# The template's example row must itself pass the validator (check character computed, not typed).
EXAMPLE_CREDIT_CODE = make_credit_code("91430381MA4L00013")


def template() -> bytes:
    example = ["湘乡市示例机械制造有限公司", EXAMPLE_CREDIT_CODE, "东山街道", "工贸", "市应急管理局", "3421",
               "东山街道工业路1号", "张三", "张三", "李四", "0731-56780000", 120, "是", 112.53, 27.73]
    return template_bytes("企业名录", COLUMNS, NOTE, [example + ["否"] * len(RISK_FLAGS)])


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    missing_headers: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    total: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors and not self.missing_headers


@dataclass
class _Row:
    line: int
    values: dict[str, Any]
    domains: list[int]
    departments: list[int]


class _Lookups:
    def __init__(self) -> None:
        self.places: dict[str, list[Jurisdiction]] = {}
        for j in Jurisdiction.objects.filter(level__in=TERRITORIAL_LEVELS).only("pk", "name", "path", "level"):
            self.places.setdefault(j.name, []).append(j)
        self.domains: dict[str, int] = {}
        for d in Domain.objects.all():
            for key in (d.code, d.name, d.short_name):
                self.domains[key] = d.pk
        self.domain_keys = sorted(self.domains, key=len, reverse=True)
        self.departments: dict[str, list[int]] = {}
        for u in Unit.objects.filter(kind=UnitKind.DEPARTMENT).only("pk", "name"):
            self.departments.setdefault(u.name, []).append(u.pk)
        for a in UnitAlias.objects.filter(unit__kind=UnitKind.DEPARTMENT).values("alias", "unit_id"):
            self.departments.setdefault(a["alias"], []).append(a["unit_id"])


    def parse_domains(self, raw: str) -> tuple[list[int], list[str]]:
        """Names may themselves contain '、' (交通运输（铁路、邮政、水上）…): match known names longest first,
        then accept an unambiguous prefix (工贸 → 工贸行业) for what is left."""
        found: list[int] = []
        rest = raw
        for key in self.domain_keys:
            if key in rest:
                found.append(self.domains[key])
                rest = rest.replace(key, "、")
        unknown = []
        for token in _split(rest):
            matches = {v for k, v in self.domains.items() if k.startswith(token)}
            if len(matches) == 1:
                found.append(matches.pop())
            else:
                unknown.append(token)
        return found, unknown


def _split(value: Any) -> list[str]:
    raw = text(value)
    for sep in (",", "，", ";", "；", "/", " "):
        raw = raw.replace(sep, "、")
    return [p for p in (x.strip() for x in raw.split("、")) if p]


def _clean_row(line: int, raw: dict[str, Any], lk: _Lookups, errors: list[RowError]) -> _Row | None:
    values: dict[str, Any] = {}
    n_errors = len(errors)

    def err(column: str, message: str) -> None:
        errors.append(RowError(line, column, message))

    for key in TEXT_FIELDS:
        values[key] = text(raw.get(key))
    if not values["name"]:
        err("企业名称", _("必填项为空"))
    try:
        # The raw cell, not its text: a code kept as a number is reported as such.
        values["credit_code"] = validate_credit_code(raw.get("credit_code"))
    except CreditCodeError as exc:
        err("统一社会信用代码", str(exc))
    place = text(raw.get("jurisdiction"))
    if not place:
        err("所属乡镇（街道、园区）", _("必填项为空"))
    else:
        found = lk.places.get(place, [])
        if not found:
            err("所属乡镇（街道、园区）", _("“%(p)s”不是已登记的乡镇、街道或园区") % {"p": place})
        elif len(found) > 1:
            err("所属乡镇（街道、园区）", _("“%(p)s”有重名，请联系管理员") % {"p": place})
        else:
            values["jurisdiction"] = found[0]
    domains, unknown = lk.parse_domains(text(raw.get("domains")))
    for name in unknown:
        err("行业领域", _("“%(d)s”不是行业领域") % {"d": name})
    departments = []
    for name in _split(raw.get("departments")):
        ids = lk.departments.get(name, [])
        if len(set(ids)) == 1:
            departments.append(ids[0])
        elif not ids:
            err("监管部门", _("“%(d)s”不是已登记的部门") % {"d": name})
        else:
            err("监管部门", _("“%(d)s”对应多个部门，请写全称") % {"d": name})
    try:
        values["industry_code"] = validate_industry_code(text(raw.get("industry_code")))
    except IndustryCodeError as exc:
        err("国民经济行业代码", str(exc))
    for key, label, conv in (("employees", "从业人员数", to_int), ("longitude", "经度", to_decimal_text),
                             ("latitude", "纬度", to_decimal_text)):
        try:
            values[key] = conv(raw.get(key))
        except ValueError as exc:
            err(label, str(exc))
    if values.get("longitude") is not None and not 73 <= float(values["longitude"]) <= 136:
        err("经度", _("经度应在 73 到 136 之间"))
    if values.get("latitude") is not None and not 3 <= float(values["latitude"]) <= 54:
        err("纬度", _("纬度应在 3 到 54 之间"))
    for key, label in BOOL_COLUMNS:
        try:
            values[key] = bool(to_bool(raw.get(key)))
        except ValueError as exc:
            err(label, str(exc))
    if len(errors) > n_errors:
        return None
    return _Row(line, values, sorted(set(domains)), sorted(set(departments)))


def _can_place(actor: Any, scope: Any, jurisdiction: Jurisdiction, domain_ids: list[int]) -> bool:
    if actor is None or scope.covers_path(jurisdiction.path):
        return True
    return any(jurisdiction.path.startswith(g.path) and set(domain_ids) & set(g.domain_ids)
               for g in scope.domain_grants)


COMPARED = [*TEXT_FIELDS, "credit_code", "jurisdiction_id", "industry_code", "employees", "longitude", "latitude",
            "above_scale", *FLAG_FIELDS]


def _comparable(ent: Enterprise) -> dict[str, Any]:
    out = {k: getattr(ent, k) for k in COMPARED}
    for k in ("longitude", "latitude"):
        out[k] = None if out[k] is None else str(round(float(out[k]), 6))
    return out


def _created_changes(ent: Enterprise, row: _Row) -> dict[str, list[Any]]:
    """Same result as audit.diff({}, snapshot), built directly: a 50,000-row import is hashed row by row."""
    out: dict[str, list[Any]] = {}
    for k, v in _comparable(ent).items():
        if v is not None:
            out[k] = [None, v]
    out["domains"] = [None, row.domains]
    out["departments"] = [None, row.departments]
    return out


def import_enterprises(*, actor: Any, file: IO[bytes] | Any,
                       progress: Callable[[str, int, int], None] | None = None) -> ImportResult:
    """Validate the whole file; write nothing unless every row is valid."""
    # Tens of thousands of short-lived row objects make the cyclic garbage collector rescan everything
    # again and again (quadratic in practice); nothing here builds reference cycles worth collecting.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _import(actor, file, progress)
    finally:
        if enabled:
            gc.enable()


def _import(actor: Any, file: IO[bytes] | Any, progress: Callable[[str, int, int], None] | None) -> ImportResult:
    if actor is not None and not actor.has_role(*services.GOVERNMENT_EDITORS):
        raise PermissionDenied(_("只有安委办、行业监管部门和乡镇（街道、园区）可以导入企业名录。"))
    result = ImportResult()
    t0 = time.perf_counter()
    rows, result.missing_headers = read_rows(file, COLUMNS)
    result.total = len(rows)
    t1 = time.perf_counter()
    result.timings["read"] = t1 - t0
    if result.missing_headers:
        return result
    lk = _Lookups()
    cleaned: list[_Row] = []
    seen: dict[str, int] = {}
    for n, (line, raw) in enumerate(rows, start=1):
        if progress and n % 5000 == 0:
            progress("validate", n, result.total)
        row = _clean_row(line, raw, lk, result.errors)
        if row is None:
            continue
        code = row.values["credit_code"]
        if code in seen:
            result.errors.append(RowError(line, "统一社会信用代码",
                                          _("与第 %(r)d 行重复：%(c)s") % {"r": seen[code], "c": code}))
            continue
        seen[code] = line
        cleaned.append(row)
    # Existing enterprises: a code registered outside the importer's scope is refused, never taken over.
    codes = list(seen)
    existing: dict[str, Enterprise] = {}
    visible: set[int] = set()
    # Updating an enterprise is keeping it: the direct scope, never a grant (as enterprise_update).
    visible_qs = Enterprise.objects.visible_to(actor, grants=False) if actor is not None else Enterprise.objects.all()
    for i in range(0, len(codes), CHUNK):
        chunk = codes[i:i + CHUNK]
        for ent in Enterprise.objects.filter(credit_code__in=chunk):
            existing[ent.credit_code] = ent
        visible.update(visible_qs.filter(credit_code__in=chunk).values_list("pk", flat=True))
    scope = scope_for(actor) if actor is not None else None
    for row in cleaned:
        ent = existing.get(row.values["credit_code"])
        if ent is not None and ent.pk not in visible:
            result.errors.append(RowError(row.line, "统一社会信用代码", _(
                "该代码已登记为“%(n)s”，不在您的管辖范围内，不能导入修改") % {"n": ent.name}))
        elif not _can_place(actor, scope, row.values["jurisdiction"], row.domains):
            result.errors.append(RowError(row.line, "所属乡镇（街道、园区）",
                                          _("该企业的属地或行业不在您的管辖范围内")))
    result.errors.sort(key=lambda e: e.row)
    t2 = time.perf_counter()
    result.timings["validate"] = t2 - t1
    if not result.ok:
        return result
    if progress:
        progress("write", 0, result.total)
    _write(actor, cleaned, existing, result)
    result.timings["write"] = time.perf_counter() - t2
    return result


@transaction.atomic
def _write(actor: Any, rows: list[_Row], existing: dict[str, Enterprise], result: ImportResult) -> None:
    new_objs: list[tuple[_Row, Enterprise]] = []
    changed: list[tuple[_Row, Enterprise, dict[str, Any]]] = []
    links_current: dict[int, tuple[set[int], set[int]]] = {}
    old_ids = [e.pk for e in existing.values()]
    for i in range(0, len(old_ids), CHUNK):
        chunk = old_ids[i:i + CHUNK]
        for ent_id, dom in EnterpriseDomain.objects.filter(enterprise_id__in=chunk).values_list("enterprise_id",
                                                                                               "domain_id"):
            links_current.setdefault(ent_id, (set(), set()))[0].add(dom)
        for ent_id, unit in Enterprise.departments.through.objects.filter(enterprise_id__in=chunk).values_list(
                "enterprise_id", "unit_id"):
            links_current.setdefault(ent_id, (set(), set()))[1].add(unit)
    new_count = sum(1 for row in rows if row.values["credit_code"] not in existing)
    # Pinyin keys cost ~0.5 ms a name: for large files they are filled by a background task after the commit
    # (the Chinese name and the credit code are searchable at once).
    defer_pinyin = new_count > DEFER_PINYIN_OVER
    for row in rows:
        ent = existing.get(row.values["credit_code"])
        if ent is None:
            ent = Enterprise(**row.values)
            ent.jurisdiction_path = ent.jurisdiction.path
            ent.search_text = ent.name.lower() if defer_pinyin else search_text(ent.name)
            new_objs.append((row, ent))
            continue
        before = _comparable(ent)
        doms, deps = links_current.get(ent.pk, (set(), set()))
        snapshot_before = {**{k: audit.to_jsonable(v) for k, v in before.items()},
                           "domains": sorted(doms), "departments": sorted(deps)}
        for k, v in row.values.items():
            setattr(ent, k, v)
        after = _comparable(ent)
        if after == before and set(row.domains) == doms and set(row.departments) == deps:
            result.unchanged += 1
            continue
        ent.jurisdiction_path = ent.jurisdiction.path
        ent.search_text = search_text(ent.name)
        changed.append((row, ent, snapshot_before))
    step = 2000
    for i in range(0, len(new_objs), step):
        batch = new_objs[i:i + step]
        Enterprise.objects.bulk_create([e for _r, e in batch], batch_size=500)
        EnterpriseDomain.objects.bulk_create(
            [EnterpriseDomain(enterprise_id=e.pk, domain_id=d) for r, e in batch for d in r.domains], batch_size=1000)
        Enterprise.departments.through.objects.bulk_create(
            [Enterprise.departments.through(enterprise_id=e.pk, unit_id=u) for r, e in batch for u in r.departments],
            batch_size=1000)
        record_many((("create", e, _created_changes(e, r), "批量导入") for r, e in batch), jsonable=True)
    update_fields = [f for f in services.FIELDS if f not in ("jurisdiction", "synthetic", "principal_user",
                                                              "safety_manager_user")]
    update_fields += ["jurisdiction", "jurisdiction_path", "search_text"]
    for i in range(0, len(changed), step):
        batch = changed[i:i + step]
        Enterprise.objects.bulk_update([e for _r, e, _b in batch], update_fields, batch_size=500)
        ids = [e.pk for _r, e, _b in batch]
        EnterpriseDomain.objects.filter(enterprise_id__in=ids).delete()
        Enterprise.departments.through.objects.filter(enterprise_id__in=ids).delete()
        EnterpriseDomain.objects.bulk_create(
            [EnterpriseDomain(enterprise_id=e.pk, domain_id=d) for r, e, _b in batch for d in r.domains],
            batch_size=1000)
        Enterprise.departments.through.objects.bulk_create(
            [Enterprise.departments.through(enterprise_id=e.pk, unit_id=u) for r, e, _b in batch
             for u in r.departments], batch_size=1000)
        for _r, e, before in batch:
            if before["jurisdiction_id"] != e.jurisdiction_id:
                rekey_enterprise_rows(e)
        record_many(("update", e, audit.diff(before, {**{k: audit.to_jsonable(v) for k, v in _comparable(e).items()},
                                                     "domains": r.domains, "departments": r.departments}), "批量导入")
                    for r, e, before in batch)
    result.created = len(new_objs)
    result.updated = len(changed)
    if defer_pinyin:
        from enterprises.tasks import fill_search_text

        ids = [e.pk for _r, e in new_objs]
        for start in range(0, len(ids), 5000):
            chunk = ids[start:start + 5000]
            transaction.on_commit(lambda chunk=chunk: fill_search_text.enqueue(chunk))


def _run(*, actor: Any, file: IO[bytes] | Any, params: dict[str, Any], progress: Any) -> Outcome:
    return Outcome.from_result(import_enterprises(actor=actor, file=file, progress=progress))


IMPORTER = Importer(
    key="enterprises", title=lambda params: _("导入企业名录"), run=_run,
    upload_url=lambda params: reverse("enterprises:import"), done_url=lambda params: reverse("enterprises:list"),
    done_message=lambda job: _("导入完成：共 %(t)d 行，新增 %(c)d 家，更新 %(u)d 家，未变化 %(n)d 家。") % {
        "t": job.total, "c": job.created, "u": job.updated, "n": job.unchanged})
