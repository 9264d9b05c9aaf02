"""The enterprise list (.xlsx), an importer on the one pipeline (core.imports): every row is checked first,
then all are written or none.

Re-importing a file updates the enterprises it names (matched by credit code) instead of duplicating
them. Writes are recorded in the change log (source: import), one event per created or updated
enterprise, inside the same transaction as the rows."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import audit
from core.audit import record_many
from core.background import yield_to_users
from core.bulk import copy_rows, insert_values, new_defaults
from core.imports import Importer, Outcome, Row, Run
from core.pinyin import search_text
from core.scoping import scope_for
from core.spreadsheet import (
    Column,
    nonblank,
    template_bytes,
    text,
    text_up_to,
    to_bool,
    to_decimal_text,
    to_int,
)
from enterprises import services, tally
from enterprises.choices import RISK_FLAGS
from enterprises.credit_code import make_credit_code, validate_credit_code
from enterprises.industry import validate_industry_code
from enterprises.models import Enterprise, EnterpriseDomain, domain_key, rekey_enterprise_rows
from orgs.choices import UnitKind
from orgs.models import Domain, Jurisdiction, Unit, UnitAlias


def _text(name: str, required: bool = False) -> Callable[[Any], str]:
    parse = text_up_to(Enterprise._meta.get_field(name).max_length)
    return nonblank(parse) if required else parse


_FLAGS: dict[str, bool] = {}  # 是/否 cells as read, memoised (a 50,000-row list has 550,000 of them)


def _flag(value: Any) -> bool:
    if value.__class__ is str:
        known = _FLAGS.get(value)
        if known is None:
            known = bool(to_bool(value))  # raises for a cell that is neither: not memoised
            if len(_FLAGS) < 1000:
                _FLAGS[value] = known
        return known
    return bool(to_bool(value))


def _between(low: int, high: int, message: Any) -> Callable[[Any], str | None]:
    def parse(value: Any) -> str | None:
        out = to_decimal_text(value)
        if out is not None and not low <= float(out) <= high:
            raise ValueError(message)
        return out

    return parse


COLUMNS: list[Column] = [
    Column("企业名称", "name", True, width=30, parse=_text("name", required=True),
           synonyms=("单位名称", "企业（单位）名称", "名称")),
    Column("统一社会信用代码", "credit_code", True, "18位，GB 32100-2015，含校验位", width=22,
           parse=validate_credit_code, synonyms=("信用代码", "社会信用代码", "统一代码")),
    Column("所属乡镇（街道、园区）", "jurisdiction", True, "填写乡镇、街道或园区名称，如：东山街道", width=18,
           parse=nonblank(text), synonyms=("所属乡镇", "乡镇（街道）", "乡镇街道", "属地")),
    Column("行业领域", "domains", False, "多个用“、”分隔，如：工贸、消防", width=16, parse=text,
           synonyms=("行业", "所属行业")),
    Column("监管部门", "departments", False, "多个用“、”分隔，如：市应急管理局", width=18,
           synonyms=("行业监管部门", "主管部门")),
    Column("国民经济行业代码", "industry_code", False, "GB/T 4754，如：3110 或 C", width=12,
           parse=lambda v: validate_industry_code(text(v)), synonyms=("行业代码",)),
    Column("详细地址", "address", width=30, parse=_text("address"), synonyms=("地址", "经营地址", "注册地址")),
    Column("法定代表人", "legal_representative", parse=_text("legal_representative"), synonyms=("法人代表", "法人")),
    Column("主要负责人", "principal", parse=_text("principal"), synonyms=("负责人",)),
    Column("安全管理人员", "safety_manager", parse=_text("safety_manager"), synonyms=("安全员", "安全负责人")),
    Column("联系电话", "phone", parse=_text("phone"), synonyms=("电话", "联系方式")),
    Column("从业人员数", "employees", width=10, parse=to_int, synonyms=("从业人数", "职工人数", "员工人数")),
    Column("规模以上", "above_scale", False, "是/否", width=10, parse=_flag, synonyms=("是否规模以上", "规上企业")),
    Column("经度", "longitude", width=12, parse=_between(73, 136, gettext_lazy("经度应在 73 到 136 之间"))),
    Column("纬度", "latitude", width=12, parse=_between(3, 54, gettext_lazy("纬度应在 3 到 54 之间"))),
    *[Column(str(label), name, False, "是/否", width=10, parse=_flag) for name, label in RISK_FLAGS],
]
NOTE = ("企业名录导入模板：带*的列必填；统一社会信用代码用于识别企业，已登记的企业再次导入时更新信息；"
        "“是/否”列留空表示“否”。整个文件任何一行有错都不会导入，请按错误清单修改后重新上传。")
TEXT_FIELDS = ["name", "address", "legal_representative", "principal", "safety_manager", "phone"]
FLAG_FIELDS = [name for name, _label in RISK_FLAGS]
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
class _Row:
    line: int
    values: dict[str, Any]
    domains: list[int]
    departments: list[int]


class _Lookups:
    def __init__(self) -> None:
        self.existing: dict[str, Enterprise] = {}  # by credit code, found by check()
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


def _can_place(actor: Any, scope: Any, jurisdiction: Jurisdiction, domain_ids: list[int]) -> bool:
    if actor is None or scope.covers_path(jurisdiction.path):
        return True
    return any(jurisdiction.path.startswith(g.path) and set(domain_ids) & set(g.domain_ids)
               for g in scope.domain_grants)


COMPARED = [*TEXT_FIELDS, "credit_code", "jurisdiction_id", "industry_code", "employees", "longitude", "latitude",
            "above_scale", *FLAG_FIELDS]


def _comparable(ent: Enterprise) -> dict[str, Any]:
    return _comparable_of({k: getattr(ent, k) for k in COMPARED})


def _comparable_of(values: dict[str, Any]) -> dict[str, Any]:
    """The compared fields of an enterprise given as {attname: value} (every one of COMPARED present)."""
    out = {k: values[k] for k in COMPARED}
    for k in ("longitude", "latitude"):
        out[k] = None if out[k] is None else str(round(float(out[k]), 6))
    return out


def _created_changes(comparable: dict[str, Any], row: _Row) -> dict[str, list[Any]]:
    """Same result as audit.diff({}, snapshot), built directly: a 50,000-row import is hashed row by row."""
    out: dict[str, list[Any]] = {}
    for k, v in comparable.items():
        if v is not None:
            out[k] = [None, v]
    out["domains"] = [None, row.domains]
    out["departments"] = [None, row.departments]
    return out


class EnterpriseImporter(Importer):
    key = "enterprises"
    progress_every = 5000

    def columns(self, params: dict[str, Any]) -> list[Column]:
        return COLUMNS

    def title(self, params: dict[str, Any]) -> str:
        return _("导入企业名录")

    def upload_url(self, params: dict[str, Any]) -> str:
        return reverse("enterprises:import")

    def done_url(self, params: dict[str, Any]) -> str:
        return reverse("enterprises:list")

    def done_message(self, counts: Any, params: dict[str, Any]) -> str:
        return _("导入完成：共 %(t)d 行，新增 %(c)d 家，更新 %(u)d 家，未变化 %(n)d 家。") % {
            "t": counts.total, "c": counts.created, "u": counts.updated, "n": counts.unchanged}

    def authorize(self, actor: Any, params: dict[str, Any]) -> None:
        if actor is not None and not actor.has_role(*services.GOVERNMENT_EDITORS):
            raise PermissionDenied(_("只有安委办、行业监管部门和乡镇（街道、园区）可以导入企业名录。"))

    def prepare(self, run: Run) -> _Lookups:
        return _Lookups()

    def clean(self, row: Row, run: Run) -> _Row | None:
        lk: _Lookups = run.ctx
        values = row.values
        place = values.pop("jurisdiction", None)
        if place:
            found = lk.places.get(place, [])
            if not found:
                row.error("所属乡镇（街道、园区）", _("“%(p)s”不是已登记的乡镇、街道或园区") % {"p": place})
            elif len(found) > 1:
                row.error("所属乡镇（街道、园区）", _("“%(p)s”有重名，请联系管理员") % {"p": place})
            else:
                values["jurisdiction"] = found[0]
        domains, unknown = lk.parse_domains(values.pop("domains", ""))
        for name in unknown:
            row.error("行业领域", _("“%(d)s”不是行业领域") % {"d": name})
        departments = []
        for name in _split(values.pop("departments", None)):
            ids = lk.departments.get(name, [])
            if len(set(ids)) == 1:
                departments.append(ids[0])
            elif not ids:
                row.error("监管部门", _("“%(d)s”不是已登记的部门") % {"d": name})
            else:
                row.error("监管部门", _("“%(d)s”对应多个部门，请写全称") % {"d": name})
        if row.failed:
            return None
        return _Row(row.line, values, sorted(set(domains)), sorted(set(departments)))

    def check(self, items: list[_Row], run: Run) -> None:
        """One row per credit code; a code registered outside the importer's scope is refused, never taken over."""
        actor = run.actor
        seen: dict[str, int] = {}
        unique: list[_Row] = []
        for row in items:
            code = row.values["credit_code"]
            if code in seen:
                run.error(row.line, "统一社会信用代码", _("与第 %(r)d 行重复：%(c)s") % {"r": seen[code], "c": code})
                continue
            seen[code] = row.line
            unique.append(row)
        codes = list(seen)
        existing: dict[str, Enterprise] = {}
        visible: set[int] = set()
        # Updating an enterprise is keeping it: the direct scope, never a grant (as enterprise_update).
        visible_qs = Enterprise.objects.visible_to(actor, grants=False) if actor is not None else Enterprise.objects.all()
        for i in range(0, len(codes), CHUNK):
            found = {ent.credit_code: ent for ent in Enterprise.objects.filter(credit_code__in=codes[i:i + CHUNK])}
            existing.update(found)
            if found:  # only codes already registered need the scope read (a first import has none)
                visible.update(visible_qs.filter(credit_code__in=list(found)).values_list("pk", flat=True))
        scope = scope_for(actor) if actor is not None else None
        for row in unique:
            ent = existing.get(row.values["credit_code"])
            if ent is not None and ent.pk not in visible:
                run.error(row.line, "统一社会信用代码", _(
                    "该代码已登记为“%(n)s”，不在您的管辖范围内，不能导入修改") % {"n": ent.name})
            elif not _can_place(actor, scope, row.values["jurisdiction"], row.domains):
                run.error(row.line, "所属乡镇（街道、园区）", _("该企业的属地或行业不在您的管辖范围内"))
        run.ctx.existing = existing

    def write(self, items: list[_Row], run: Run) -> None:
        _write(items, run.ctx.existing, run.outcome)


IMPORTER = EnterpriseImporter()


def import_enterprises(*, actor: Any, file: IO[bytes] | Any,
                       progress: Callable[[str, int, int], None] | None = None) -> Outcome:
    """Validate the whole file; write nothing unless every row is valid."""
    return IMPORTER.run(actor=actor, file=file, progress=progress)


# Rows written per batch (COPY statements and change events); a large import pauses between batches while users are
# active (``core.background.yield_to_users``).
WRITE_BATCH = 5000


def _write(rows: list[_Row], existing: dict[str, Enterprise], result: Outcome) -> None:
    # New enterprises are written from their column values, without model instances (COPY on PostgreSQL):
    # building 50,000 instances was a third of the write.
    new_objs: list[tuple[_Row, dict[str, Any]]] = []
    defaults = new_defaults(Enterprise)
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
            values = dict(row.values)
            place = values.pop("jurisdiction")
            values.update(jurisdiction_id=place.pk, jurisdiction_path=place.path,
                          search_text=values["name"].lower() if defer_pinyin else search_text(values["name"]))
            new_objs.append((row, values))
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
    # New rows first, a batch at a time, pausing between batches while users are active (the transaction has then
    # only written rows no one else can see yet); their counts are added at the end, with the updates', so that the
    # count rows other writers share are locked for the last moment only.
    step = WRITE_BATCH
    new_ids: list[int] = []
    label = audit.object_label(Enterprise())
    delta: Counter = Counter()
    for i in range(0, len(new_objs), step):
        started = time.perf_counter()
        batch = new_objs[i:i + step]
        # COPY on PostgreSQL (keys drawn from the sequence first), bulk_create on SQLite.
        ids = insert_values(Enterprise, [v for _r, v in batch])
        new_ids += ids
        copy_rows(EnterpriseDomain, ["enterprise_id", "domain_id"],
                  ((pk, d) for (r, _v), pk in zip(batch, ids, strict=True) for d in r.domains))
        copy_rows(Enterprise.departments.through, ["enterprise_id", "unit_id"],
                  ((pk, u) for (r, _v), pk in zip(batch, ids, strict=True) for u in r.departments))
        delta.update((v["jurisdiction_path"], domain_key(r.domains), v.get("credit_class", defaults["credit_class"]))
                     for r, v in batch)
        record_many((("enterprises.create", audit.Ref(label, pk, v["name"]),
                      _created_changes(_comparable_of({**defaults, **v}), r), "批量导入")
                     for (r, v), pk in zip(batch, ids, strict=True)), jsonable=True, batch=step)
        if i + step < len(new_objs):
            paused = yield_to_users(time.perf_counter() - started, private_locks=True)
            result.timings["paused"] = result.timings.get("paused", 0.0) + paused
    # Lock the enterprises to update and read where they are counted (the rows read at check time are not locked):
    # every enterprise lock is taken before any count row, as every writer does.
    counted = tally.states([e.pk for _r, e, _b in changed], lock=True)
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
        for r, e, before in batch:
            if before["jurisdiction_id"] != e.jurisdiction_id:
                rekey_enterprise_rows(e)
            # bulk_update leaves the credit class alone: each keeps the class it was counted with.
            delta[counted[e.pk]] -= 1
            delta[(e.jurisdiction_path, domain_key(r.domains), counted[e.pk][2])] += 1
        record_many(("enterprises.update", e, audit.diff(before, {**{k: audit.to_jsonable(v) for k, v in _comparable(e).items()},
                                                     "domains": r.domains, "departments": r.departments}), "批量导入")
                    for r, e, before in batch)
    # Counted in the same transaction, one upsert per 500 keys (set-based: keys grouped, not a row an enterprise).
    tally.apply(delta)
    result.created = len(new_objs)
    result.updated = len(changed)
    if defer_pinyin:
        from enterprises.tasks import fill_search_text

        ids = new_ids
        for start in range(0, len(ids), 5000):
            chunk = ids[start:start + 5000]
            transaction.on_commit(lambda chunk=chunk: fill_search_text.enqueue(chunk))
