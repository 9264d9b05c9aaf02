"""Writes of the enforcement module; every one records to the change log in its transaction.

Rules relied on (shared/reference/rules.md): §5.1 (一单两库, 比例和频次, heavier sampling of complaints and
violations), §5.3 (annual plan per 第六十二条 with 重点检查 and 双随机 rows and per-unit caps), §5.4
(行政处罚法第四十二、四十三、五十五条; 安全生产法第六十七、六十八条) and §1.1 (第六十五条: hazards found are ordered
removed; a hazard found by government is closed by government)."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import uuid as uuidlib
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from checks.models import Premises
from core import audit
from core.workflow import Step, transition
from enforcement import draw as algorithm
from enforcement.choices import AttemptOutcome, DrawStatus, FindingResult, InspectionOrigin, InspectionStatus
from enforcement.models import (
    Case,
    Conflict,
    DepartmentSettings,
    DocumentCounter,
    Draw,
    DrawAttempt,
    EnforcementDocument,
    Finding,
    Inspection,
    InspectionMatter,
    Inspector,
    PlanRow,
)
from enforcement.workflow import DRAW_TRANSITIONS, INSPECTION_TRANSITIONS
from enterprises.models import Enterprise, EnterpriseDomain
from orgs.choices import UnitKind
from orgs.models import Domain, Jurisdiction, Unit

SNAPSHOT_BATCH = 10000  # rows per fetch of the snapshot's streamed queries (server-side cursors on PostgreSQL)


# -- who ------------------------------------------------------------------------------------------------

def department_of(actor: Any) -> Unit:
    """The department an actor works for: regulators (and the office acting for a department) only."""
    if actor is None or not actor.has_role(Role.REGULATOR) or not actor.unit_id \
            or actor.unit.kind != UnitKind.DEPARTMENT:
        raise PermissionDenied(_("只有行业监管部门的人员可以办理执法检查事务。"))
    return actor.unit


def settings_for(department: Unit) -> DepartmentSettings:
    found = DepartmentSettings.objects.filter(department=department).first()
    if found is not None:
        return found
    short = department.name.removeprefix("市").removesuffix("管理局").removesuffix("局").removesuffix("大队")
    return DepartmentSettings(department=department, abbreviation=f"湘乡{short}")


def township_path(path: str, department: Unit | None = None) -> str:
    """The township (乡镇/街道/园区) part of a jurisdiction path: the level below the city root."""
    parts = [p for p in path.split("/") if p]
    return "/" + "/".join(parts[:2]) + "/" if len(parts) >= 2 else path


# -- 一单两库 --------------------------------------------------------------------------------------------

MATTER_FIELDS = ["name", "basis", "subject", "content", "method", "category", "domain", "public"]


@transaction.atomic
def matter_create(*, actor: Any, name: str, basis: str, subject: str, content: str = "", method: str = "",
                category: str = "general", domain: Domain | None = None, public: bool = True) -> InspectionMatter:
    department = department_of(actor)
    errors = {}
    if not (name or "").strip():
        errors["name"] = _("请填写抽查事项。")
    if not (basis or "").strip():
        errors["basis"] = _("请填写检查依据（法律法规规章没有规定的，一律不得擅自开展检查）。")
    if not (subject or "").strip():
        errors["subject"] = _("请填写检查对象。")
    if errors:
        raise ValidationError(errors)
    item = InspectionMatter(department=department, name=name.strip(), basis=basis.strip(), subject=subject.strip(),
                     content=(content or "").strip(), method=(method or "").strip() or "现场检查、查阅资料",
                     category=category, domain=domain, public=public)
    item.copy_scope_keys()
    item.full_clean(exclude=["department"])
    item.save()
    audit.record(action="enforcement.matter_create", obj=item, changes=audit.diff({}, audit.snapshot(item, MATTER_FIELDS)))
    return item


@transaction.atomic
def inspector_create(*, actor: Any, name: str, cert_number: str, cert_valid_until: dt.date, user: Any = None,
                     specialties: Iterable[Domain] = (), home: Jurisdiction | None = None) -> Inspector:
    department = department_of(actor)
    errors = {}
    if not (name or "").strip():
        errors["name"] = _("请填写姓名。")
    cert_number = (cert_number or "").strip()
    if not cert_number:
        errors["cert_number"] = _("请填写执法证号。")
    elif Inspector.objects.filter(cert_number=cert_number).exists():
        errors["cert_number"] = _("该执法证号已在名录库中。")
    if user is not None and (user.unit_id != department.pk or not user.has_role(Role.INSPECTOR, Role.REGULATOR)):
        errors["user"] = _("只能关联本部门的执法检查人员账号。")
    if errors:
        raise ValidationError(errors)
    inspector = Inspector(department=department, name=name.strip(), cert_number=cert_number,
                          cert_valid_until=cert_valid_until, user=user, home=home)
    inspector.copy_scope_keys()
    inspector.save()
    inspector.specialties.set(list(specialties))
    audit.record(action="enforcement.inspector_create", obj=inspector, changes=audit.diff({}, audit.snapshot(
        inspector, ["name", "cert_number", "cert_valid_until", "user", "home"])))
    return inspector


@transaction.atomic
def conflict_declare(*, actor: Any, inspector: Inspector, note: str, enterprise: Enterprise | None = None,
                     place: Jurisdiction | None = None) -> Conflict:
    """A declared conflict: by the inspector themself or their department."""
    own = inspector.user_id is not None and actor is not None and actor.pk == inspector.user_id
    if not own and (actor is None or not actor.has_role(Role.REGULATOR) or actor.unit_id != inspector.department_id):
        raise PermissionDenied(_("只有本人或所在部门可以申报回避。"))
    if (enterprise is None) == (place is None):
        raise ValidationError(_("请选择回避的企业或地区（其一）。"))
    if not (note or "").strip():
        raise ValidationError({"note": _("请写明回避事由（如亲属任职）。")})
    conflict = Conflict.objects.create(inspector=inspector, enterprise=enterprise, place=place, note=note.strip())
    audit.record(action="enforcement.conflict_declare", obj=inspector,
                 changes={"conflict": [None, f"{enterprise or place}：{conflict.note}"]})
    return conflict


# -- 检查对象名录库: what the registry says about each target -------------------------------------------------

# An enterprise's last inspection: the latest start first; one without a start time (data written outside the
# workflow) after every started one — explicitly, since PostgreSQL sorts NULL first in a descending order and
# SQLite last; then the newest row.
LAST_INSPECTION_ORDER = ("enterprise_id", F("started_at").desc(nulls_last=True), "-pk")


def mask_name(name: str) -> str:
    """A person's name (or a place named after one) on a public page or file: the first character and asterisks."""
    return (name[:1] + "*" * max(len(name) - 1, 1)) if name else ""


def is_individual_business(credit_code: str) -> bool:
    """个体工商户: 统一社会信用代码 registered by 市场监管 (first character 9) in category 2 (GB 32100-2015)."""
    return len(credit_code or "") == 18 and credit_code[:2] == "92"


def public_target_name(name: str, *, premises: bool = False, credit_code: str = "") -> str:
    """How a target is named in published material: a non-registered premises (个体户, a shop named after its
    keeper) or a registered 个体工商户 masked like a person; a registered company by its registered name."""
    return mask_name(name) if premises or is_individual_business(credit_code) else name


def year_inspections(enterprise_ids: list[int], year: int, department: Unit | None = None,
                     viewer: Any = None) -> dict[int, int]:
    base = Inspection.objects.all() if viewer is None else Inspection.objects.visible_to(viewer)
    qs = base.filter(enterprise_id__in=enterprise_ids, created_at__year=year)
    if department is not None:
        qs = qs.filter(department=department)
    return dict(qs.values("enterprise_id").annotate(n=Count("pk")).values_list("enterprise_id", "n"))


def directory_facts(enterprises: list[Enterprise], *, year: int, viewer: Any = None,
                    department: Unit | None = None) -> dict[int, dict[str, Any]]:
    """Class (risk app), complaints and violations in the last year, inspections this year (by ``department``
    when given: its plan's cap is per department), last inspected and by whom: per enterprise, in a fixed number of
    queries per batch. With a ``viewer``, the counts are of what the viewer may see (visible_to)."""
    from hazards.choices import Source as HazardSource
    from hazards.models import Hazard
    from risk.selectors import classes_for

    ids = [e.pk for e in enterprises]
    classes = classes_for(enterprises, viewer=viewer)
    since = timezone.now() - dt.timedelta(days=365)
    hazards = Hazard.objects.all() if viewer is None else Hazard.objects.visible_to(viewer)
    inspections = Inspection.objects.all() if viewer is None else Inspection.objects.visible_to(viewer)
    if department is not None:
        inspections = inspections.filter(department=department)
    counts = (hazards.filter(enterprise_id__in=ids, found_at__gte=since)
              .values("enterprise_id")
              .annotate(complaints=Count("pk", filter=Q(source=HazardSource.PUBLIC_REPORT)),
                        violations=Count("pk", filter=Q(source=HazardSource.GOVERNMENT))))
    by_ent = {r["enterprise_id"]: r for r in counts}
    this_year = year_inspections(ids, year, department, viewer)
    last: dict[int, Inspection] = {}
    for inspection in (inspections.filter(enterprise_id__in=ids).exclude(status=InspectionStatus.PLANNED)
                       .order_by(*LAST_INSPECTION_ORDER).prefetch_related("inspectors")):
        last.setdefault(inspection.enterprise_id, inspection)
    out = {}
    for e in enterprises:
        row = by_ent.get(e.pk, {})
        previous = last.get(e.pk)
        out[e.pk] = {
            "class": classes[e.pk].klass if e.pk in classes else "",
            "frequency": classes[e.pk].frequency if e.pk in classes else 1,
            "complaints": row.get("complaints", 0), "violations": row.get("violations", 0),
            "inspections_this_year": this_year.get(e.pk, 0),
            "last_inspected": previous.started_at.date() if previous and previous.started_at else None,
            "last_inspectors": [f"i{i.pk}" for i in previous.inspectors.all()] if previous else [],
        }
    return out


def department_enterprises(department: Unit) -> Any:
    domain_ids = list(department.domains.values_list("pk", flat=True))
    return (Enterprise.objects.filter(jurisdiction_path__startswith=department.jurisdiction_path,
                                      enterprisedomain__domain_id__in=domain_ids).distinct())


def population_snapshot(*, department: Unit, filters: dict[str, Any], cap: int, year: int,
                        stratify: str = "class", viewer: Any = None) -> list[dict[str, Any]]:
    """The 检查对象名录库 as the draw sees it: the department's enterprises (its domains, in its territory),
    narrowed by the 定向 filters (domain, township, classes), plus the non-registered premises of its domains.

    Set-based: a fixed number of aggregate queries over the whole population (each keyed by enterprise id and
    merged here), the rows streamed in chunks; the same rows as ``directory_facts`` per enterprise (the test
    ``enforcement/tests/test_snapshot.py`` holds the per-batch build as the oracle of the canonical bytes)."""
    from risk.choices import CLASS_FREQUENCY
    from risk.selectors import class_flag_fields, class_inputs, flags_in

    qs = department_enterprises(department)
    if filters.get("domain"):
        qs = qs.filter(enterprisedomain__domain_id=filters["domain"])
    if filters.get("township"):
        qs = qs.filter(jurisdiction_path__startswith=filters["township"])
    ids = qs.values("pk")
    classes_wanted = set(filters.get("classes") or ())
    classes = class_inputs(ids)  # the class is the enterprise's, whoever reads it (the viewer only narrows reasons)
    facts = _population_facts(ids, year=year, viewer=viewer, department=department)
    domains: dict[int, list[str]] = {}
    for enterprise_id, code in (EnterpriseDomain.objects.filter(enterprise_id__in=ids)
                                .values_list("enterprise_id", "domain__code").iterator(chunk_size=SNAPSHOT_BATCH)):
        domains.setdefault(enterprise_id, []).append(code)
    flag_fields = class_flag_fields()
    rows = (Enterprise.objects.filter(pk__in=ids).order_by("pk")
            .values_list("pk", "name", "credit_code", "jurisdiction_path", *flag_fields)
            .iterator(chunk_size=SNAPSHOT_BATCH))
    population = []
    none: dict[str, Any] = {}
    townships: dict[str, str] = {}
    strata: dict[tuple[str, str], str] = {}
    for pk, name, credit_code, path, *flags in rows:
        klass = classes.klass(pk, flags_in(flag_fields, flags))
        if classes_wanted and klass not in classes_wanted:
            continue
        f = facts.get(pk, none)
        if path not in townships:
            townships[path] = township_path(path)
        if (klass, path) not in strata:
            strata[klass, path] = _stratum(stratify, klass, path)
        population.append({
            "id": f"e{pk}", "name": public_target_name(name, credit_code=credit_code), "stratum": strata[klass, path],
            "place": path, "township": townships[path], "domains": sorted(domains.get(pk, ())), "class": klass,
            "cap_left": max(min(cap, CLASS_FREQUENCY[klass] if stratify == "class_cap" else cap)
                            - f.get("inspections_this_year", 0), 0),
            "complaints": f.get("complaints", 0), "violations": f.get("violations", 0),
            "last_inspectors": f.get("last_inspectors", [])})
    if filters.get("premises", True) and not classes_wanted:
        premises = Premises.objects.filter(jurisdiction_path__startswith=department.jurisdiction_path,
                                           domain__in=department.domains.all())
        if filters.get("domain"):
            premises = premises.filter(domain_id=filters["domain"])
        if filters.get("township"):
            premises = premises.filter(jurisdiction_path__startswith=filters["township"])
        for p in premises.select_related("domain").order_by("pk"):
            population.append({"id": f"p{p.pk}", "name": public_target_name(p.name, premises=True),
                               "stratum": _stratum(stratify, "", p.jurisdiction_path),
                               "place": p.jurisdiction_path, "township": township_path(p.jurisdiction_path),
                               "domains": [p.domain.code], "class": "", "cap_left": cap, "complaints": 0,
                               "violations": 0, "last_inspectors": []})
    return population


def _population_facts(ids: Any, *, year: int, viewer: Any, department: Unit) -> dict[int, dict[str, Any]]:
    """``directory_facts`` for a whole population (``ids``: a ``values("pk")`` queryset) in four queries:
    complaints and violations in the last year, this department's inspections this year, and the inspectors of
    each enterprise's last inspection by it (with a ``viewer``, of what the viewer may see)."""
    from hazards.choices import Source as HazardSource
    from hazards.models import Hazard

    out: dict[int, dict[str, Any]] = {}
    since = timezone.now() - dt.timedelta(days=365)
    hazards = Hazard.objects.all() if viewer is None else Hazard.objects.visible_to(viewer)
    for enterprise_id, complaints, violations in (
            hazards.filter(enterprise_id__in=ids, found_at__gte=since).order_by().values("enterprise_id")
            .annotate(complaints=Count("pk", filter=Q(source=HazardSource.PUBLIC_REPORT)),
                      violations=Count("pk", filter=Q(source=HazardSource.GOVERNMENT)))
            .values_list("enterprise_id", "complaints", "violations").iterator(chunk_size=SNAPSHOT_BATCH)):
        out.setdefault(enterprise_id, {}).update(complaints=complaints, violations=violations)
    inspections = Inspection.objects.all() if viewer is None else Inspection.objects.visible_to(viewer)
    inspections = inspections.filter(department=department, enterprise_id__in=ids)
    for enterprise_id, n in (inspections.filter(created_at__year=year).order_by().values("enterprise_id")
                             .annotate(n=Count("pk")).values_list("enterprise_id", "n")
                             .iterator(chunk_size=SNAPSHOT_BATCH)):
        out.setdefault(enterprise_id, {})["inspections_this_year"] = n
    # The last inspection: the same order as directory_facts (LAST_INSPECTION_ORDER, the same on every database).
    done = inspections.exclude(status=InspectionStatus.PLANNED)
    last: dict[int, int] = {}
    for enterprise_id, pk in (done.order_by(*LAST_INSPECTION_ORDER).values_list("enterprise_id", "pk")
                              .iterator(chunk_size=SNAPSHOT_BATCH)):
        last.setdefault(enterprise_id, pk)
    chosen = set(last.values())
    team: dict[int, list[str]] = {}
    # The inspectors in the Inspector order (what ``inspection.inspectors.all()`` gives).
    for inspection_id, inspector_id in (
            Inspection.inspectors.through.objects.filter(inspection__in=done.values("pk"))
            .order_by("inspector__department_id", "inspector__name", "inspector_id")
            .values_list("inspection_id", "inspector_id").iterator(chunk_size=SNAPSHOT_BATCH)):
        if inspection_id in chosen:
            team.setdefault(inspection_id, []).append(f"i{inspector_id}")
    for enterprise_id, pk in last.items():
        out.setdefault(enterprise_id, {})["last_inspectors"] = team.get(pk, [])
    return out


def _stratum(stratify: str, klass: str, path: str) -> str:
    if stratify in ("class", "class_cap"):
        return klass or "none"
    if stratify == "township":
        return township_path(path)
    return "all"


def inspectors_snapshot(*, departments: list[Unit], on: dt.date) -> list[dict[str, Any]]:
    """The 执法检查人员名录库 as the draw sees it: active inspectors whose 执法证 is valid on ``on``."""
    out = []
    qs = (Inspector.objects.filter(department__in=departments, active=True, cert_valid_until__gte=on)
          .select_related("home").prefetch_related("specialties", "conflicts__place").order_by("pk"))
    for ins in qs:
        conflicts = list(ins.conflicts.all())
        # No names: the snapshot is published with the draw (personal data stays off the public page).
        out.append({"id": f"i{ins.pk}", "group": str(ins.department_id),
                    "township": township_path(ins.home.path) if ins.home_id else "",
                    "conflicts": sorted(f"e{c.enterprise_id}" for c in conflicts if c.enterprise_id),
                    "conflict_places": sorted(c.place.path for c in conflicts if c.place_id),
                    "specialties": sorted(d.code for d in ins.specialties.all())})
    return out


# -- the draw ------------------------------------------------------------------------------------------

def pack(value: Any) -> bytes:
    return gzip.compress(algorithm.canonical(value), mtime=0)


def unpack(data: bytes | memoryview) -> Any:
    return json.loads(gzip.decompress(bytes(data)).decode("utf-8"))


# What a person may type for the one stratum of an unstratified draw (stored as "all").
UNSTRATIFIED_WORDS = {"全部": "all", "不分层": "all"}


def parse_strata(text: str) -> list[dict[str, Any]]:
    """"a=30%; b=10%; c=2%; d=1%" or "全部=12" ("all=12"): a stratum per part, a count or a ratio (with % or a
    point)."""
    strata = []
    for part in (text or "").replace("；", ";").replace("，", ";").replace(",", ";").split(";"):
        part = part.strip()
        if not part:
            continue
        key, sep, value = part.partition("=")
        key, value = key.strip().lower(), value.strip()
        key = UNSTRATIFIED_WORDS.get(key, key)
        if not sep or not key or not value:
            raise ValidationError({"strata": _("抽取比例格式应为“a=30%; b=10%”或“全部=12”。")})
        try:
            if value.endswith("%"):
                ratio = algorithm.Fraction(value[:-1]) / 100
                strata.append({"key": key, "ratio": str(ratio)})
            elif "." in value:
                strata.append({"key": key, "ratio": str(algorithm.Fraction(value))})
            else:
                strata.append({"key": key, "count": int(value)})
        except (ValueError, ZeroDivisionError) as exc:
            raise ValidationError({"strata": _("“%(p)s”不是有效的数量或比例。") % {"p": part}}) from exc
        last = strata[-1]
        if ("ratio" in last and not 0 <= algorithm.Fraction(last["ratio"]) <= 1) or last.get("count", 0) < 0:
            raise ValidationError({"strata": _("“%(p)s”超出范围（比例0–100%%，数量不小于0）。") % {"p": part}})
    if not strata:
        raise ValidationError({"strata": _("请填写抽取数量或比例。")})
    if len({s["key"] for s in strata}) != len(strata):
        raise ValidationError({"strata": _("同一分层不能填写两次。")})
    return strata


DRAW_FIELDS = ["title", "status", "commitment", "public_source", "witness_name", "population_size", "seed"]


@transaction.atomic
def draw_commit(*, actor: Any, title: str, strata: str, public_source: str, operator_secret: str,
                witness_name: str, witness_secret: str, filters: dict[str, Any] | None = None,
                plan_row: PlanRow | None = None, stratify: str = "class", per_target: int = 2,
                joint_departments: Iterable[Unit] = (), recuse_same_township: bool | None = None,
                max_targets_per_inspector: int | None = None, assignment_days: int = 60,
                weights: dict[str, int] | None = None, cap: int | None = None,
                today: dt.date | None = None) -> Draw:
    """Fix the population, inspectors and parameters and publish the commitment (no randomness yet)."""
    department = department_of(actor)
    today = today or timezone.localdate()
    errors: dict[str, Any] = {}
    if not (title or "").strip():
        errors["title"] = _("请填写抽查任务名称。")
    if not (public_source or "").strip():
        errors["public_source"] = _("请写明事先确定、尚未产生的公开随机源（如某日收盘指数）。")
    if len(operator_secret or "") < algorithm.MIN_SECRET:
        errors["operator_secret"] = _("操作人随机输入至少8个字符。")
    if len(witness_secret or "") < algorithm.MIN_SECRET:
        errors["witness_secret"] = _("见证人随机输入至少8个字符。")
    if not (witness_name or "").strip():
        errors["witness_name"] = _("请填写见证人。")
    if per_target < algorithm.MIN_INSPECTORS:
        errors["per_target"] = _("每个对象至少选派两名执法人员（行政处罚法第四十二条）。")
    if plan_row is not None and plan_row.plan.department_id != department.pk:
        errors["plan_row"] = _("只能选择本部门年度计划中的事项。")
    try:
        parsed = parse_strata(strata)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        parsed = []
    if errors:
        raise ValidationError(errors)
    dept_settings = settings_for(department)
    if cap is None:
        cap = plan_row.cap if plan_row is not None else dept_settings.yearly_cap
    teams = [{"group": str(department.pk), "count": per_target}]
    joint = [u for u in joint_departments if u.pk != department.pk and u.kind == UnitKind.DEPARTMENT]
    teams += [{"group": str(u.pk), "count": 1} for u in joint]
    parameters = {
        "strata": parsed, "stratify": stratify, "teams": teams,
        "weights": weights if weights is not None else {"complaints": 1, "violations": 2},
        "weight_factor_cap": 5, "cap": cap, "year": today.year,
        "recuse_same_township": dept_settings.recuse_same_township if recuse_same_township is None
        else bool(recuse_same_township),
        "recuse_last_time": True, "max_targets_per_inspector": max_targets_per_inspector,
    }
    filters = {k: v for k, v in (filters or {}).items() if v not in (None, "", [])}
    population = population_snapshot(department=department, filters=filters, cap=cap, year=today.year,
                                     stratify=stratify, viewer=actor)
    inspectors = inspectors_snapshot(departments=[department, *joint], on=today)
    if not population:
        raise ValidationError(_("名录库中没有符合条件的检查对象。"))
    if len(inspectors) < per_target:
        raise ValidationError(_("执法检查人员名录库中执法证有效的在岗人员不足%(n)d人。") % {"n": per_target})
    document = algorithm.commitment_document(
        population=population, inspectors=inspectors, parameters=parameters, public_source=public_source.strip(),
        operator_commit=algorithm.secret_hash(operator_secret), witness_commit=algorithm.secret_hash(witness_secret))
    draw = Draw(department=department, plan_row=plan_row, title=title.strip(), status=DrawStatus.COMMITTED,
                population_gz=pack(population), inspectors_gz=pack(inspectors), population_size=len(population),
                parameters=parameters, filters=filters, commitment_document=document,
                commitment=algorithm.commitment(document), public_source=public_source.strip(),
                witness_name=witness_name.strip(), committed_by=actor,
                assignment_until=today + dt.timedelta(days=max(1, assignment_days)))
    draw.copy_scope_keys()
    draw.save()
    audit.record(action="enforcement.draw_commit", obj=draw, changes=audit.diff({}, audit.snapshot(draw, DRAW_FIELDS)),
                 note=f"commitment {draw.commitment}")
    return draw


def draw_execute(*, actor: Any, draw: Draw, public_value: str, operator_secret: str, witness_secret: str) -> Draw:
    """抽取: check the revealed inputs against the commitment, run the draw once, create the inspections and
    grant each drawn inspector the target for the assignment. Every attempt is recorded, refused ones too."""
    try:
        return transition(workflow=DRAW_TRANSITIONS, obj=draw, actor=actor, action="execute",
                          data={"public_value": public_value, "operator_secret": operator_secret,
                                "witness_secret": witness_secret},
                          check=_check_draw_visible, apply=_apply_execute, on_applied=_after_execute,
                          audit_fields=["status", "seed"])
    except (ValidationError, PermissionDenied) as exc:
        _record_refused_attempt(actor, draw, public_value, exc)
        raise


def _check_draw_visible(actor: Any, draw: Draw) -> None:
    if not Draw.objects.visible_to(actor).filter(pk=draw.pk).exists():
        raise PermissionDenied(_("该抽查不在您的范围内。"))


@transaction.atomic
def _record_refused_attempt(actor: Any, draw: Draw, public_value: str, exc: Exception) -> None:
    """A refused attempt by someone who sees the draw is kept (its own row and change-log entry; the draw itself
    is untouched). Outsiders are not told the draw exists, and nothing is recorded for them."""
    if not Draw.objects.visible_to(actor).filter(pk=draw.pk).exists():
        return
    if isinstance(exc, ValidationError):
        problems = "；".join(str(m) for m in exc.messages)
    else:
        problems = str(exc)
    attempt = DrawAttempt.objects.create(draw=draw, actor=actor if getattr(actor, "pk", None) else None,
                                         outcome=AttemptOutcome.REFUSED, public_value=(public_value or "")[:200],
                                         problems=problems[:2000])
    audit.record(action="enforcement.draw_attempt", obj=attempt, object_repr=f"{draw.title}（{draw.commitment[:12]}）",
                 changes={"draw": [None, draw.pk], "outcome": [None, AttemptOutcome.REFUSED]},
                 note=problems[:500], success=False)


def _apply_execute(step: Step) -> dict[str, Any]:
    draw: Draw = step.obj
    data = step.data
    document = draw.commitment_document
    problems = []
    if algorithm.secret_hash(data["operator_secret"]) != document["operator_commit"]:
        problems.append(_("操作人的随机输入与承诺不符。"))
    if algorithm.secret_hash(data["witness_secret"]) != document["witness_commit"]:
        problems.append(_("见证人的随机输入与承诺不符。"))
    if problems:
        raise ValidationError(problems)
    seed = algorithm.derive_seed(commitment_hex=draw.commitment, public_value=data["public_value"].strip(),
                                 operator_secret=data["operator_secret"], witness_secret=data["witness_secret"])
    try:
        result = algorithm.run(unpack(draw.population_gz), unpack(draw.inspectors_gz), draw.parameters, seed)
    except algorithm.DrawError as exc:
        raise ValidationError(_("抽取参数无效：%(e)s") % {"e": exc}) from exc
    draw.reveal = {"public_value": data["public_value"].strip(), "operator_secret": data["operator_secret"],
                   "witness_secret": data["witness_secret"]}
    draw.seed = seed
    draw.result = result
    draw.drawn_at = step.now
    return {"seed": seed}


def _after_execute(step: Step) -> None:
    draw: Draw = step.obj
    DrawAttempt.objects.create(draw=draw, actor=step.actor if getattr(step.actor, "pk", None) else None,
                               outcome=AttemptOutcome.DRAWN, public_value=draw.reveal["public_value"][:200],
                               result_sha256=algorithm.sha256_hex(algorithm.canonical(draw.result)))
    _create_assignments(draw)


def resolve_target(draw: Draw, target_id: str) -> str:
    """A draw's target id as it names a row today (``Draw.target_aliases``: premises moved into checks.Premises)."""
    return (draw.target_aliases or {}).get(target_id, target_id)


def _create_assignments(draw: Draw) -> None:
    from accounts import grants

    targets = [{**t, "id": resolve_target(draw, t["id"])} for t in draw.result["targets"]]
    inspector_ids = {int(i[1:]) for t in targets for i in t["inspectors"]}
    inspectors = {i.pk: i for i in Inspector.objects.filter(pk__in=inspector_ids).select_related("user")}
    ent_ids = [int(t["id"][1:]) for t in targets if t["id"].startswith("e")]
    enterprises = Enterprise.objects.in_bulk(ent_ids)
    premises = Premises.objects.in_bulk([int(t["id"][1:]) for t in targets if t["id"].startswith("p")])
    until = timezone.make_aware(dt.datetime.combine(draw.assignment_until, dt.time(23, 59)))
    for target in targets:
        enterprise = enterprises.get(int(target["id"][1:])) if target["id"].startswith("e") else None
        place = premises.get(int(target["id"][1:])) if target["id"].startswith("p") else None
        if enterprise is None and place is None:
            continue
        key = enterprise or place
        inspection = Inspection(department_id=draw.department_id, enterprise=enterprise, premises=place,
                                jurisdiction_path=key.jurisdiction_path, origin=InspectionOrigin.DRAW, draw=draw,
                                plan_row=draw.plan_row, planned_date=draw.assignment_until,
                                place=getattr(key, "address", "") or "", created_by=None)
        inspection.save()
        team = [inspectors[int(i[1:])] for i in target["inspectors"] if int(i[1:]) in inspectors]
        inspection.inspectors.set(team)
        audit.record(action="enforcement.inspection_create", obj=inspection,
                     changes={"origin": [None, InspectionOrigin.DRAW], "draw": [None, draw.pk]})
        if enterprise is None:
            continue
        for inspector in team:
            user = inspector.user
            if user is None or not user.is_active or not user.has_role(Role.INSPECTOR):
                continue
            if Enterprise.objects.visible_to(user, grants=False).filter(pk=enterprise.pk).exists():
                continue
            grants.grant_create(actor=None, obj=enterprise, user=user, valid_until=until,
                                reason=f"双随机抽查：{draw.title[:150]}{_grant_reason(draw)}")


def _grant_reason(draw: Draw) -> str:
    return f"（{draw.commitment[:12]}）"


def _after_void(step: Step) -> None:
    """A voided draw's assignments end: the grants it gave are revoked now (the inspections stay, as records)."""
    from accounts import grants

    draw: Draw = step.obj
    for grant in grants.live().filter(granted_by__isnull=True, object_type="enterprises.enterprise",
                                      reason__endswith=_grant_reason(draw)):
        grants.grant_revoke(actor=None, grant=grant, reason=f"双随机抽查已作废：{step.note}"[:300])


def draw_void(*, actor: Any, draw: Draw, note: str) -> Draw:
    return transition(workflow=DRAW_TRANSITIONS, obj=draw, actor=actor, action="cancel", note=note,
                      check=_check_draw_visible, on_applied=_after_void)


def draw_bundle(draw: Draw) -> dict[str, Any]:
    """Everything needed to re-run a draw (the export files; scripts/verify_draw.py reads them)."""
    bundle: dict[str, Any] = {
        "population": unpack(draw.population_gz), "inspectors": unpack(draw.inspectors_gz),
        "parameters": draw.parameters,
        "commitment": {"document": draw.commitment_document, "hash": draw.commitment},
    }
    if draw.seed:
        bundle["reveal"] = draw.reveal
        bundle["result"] = draw.result
    return bundle


# -- inspections ----------------------------------------------------------------------------------------

INSPECTION_FIELDS = ["status", "origin", "enterprise", "premises", "planned_date", "unannounced", "signer", "refused_to_sign",
                     "refusal_note", "review_due", "review_note"]


@transaction.atomic
def inspection_create(*, actor: Any, origin: str, inspectors: list[Inspector], enterprise: Enterprise | None = None,
                      premises: Premises | None = None, planned_date: dt.date | None = None,
                      plan_row: PlanRow | None = None, unannounced: bool = False) -> Inspection:
    """An inspection not drawn: from the plan (重点检查), a complaint (举报), 上级交办 or a 专项."""
    department = department_of(actor)
    errors: dict[str, Any] = {}
    if origin not in InspectionOrigin.values or origin == InspectionOrigin.DRAW:
        errors["origin"] = _("请选择检查来源（双随机抽查的检查由抽取生成）。")
    if (enterprise is None) == (premises is None):
        errors["enterprise"] = _("请选择被检查的企业或场所（其一）。")
    if len(inspectors) < algorithm.MIN_INSPECTORS:
        errors["inspectors"] = _("执法人员不得少于两人（行政处罚法第四十二条）。")
    elif any(i.department_id != department.pk for i in inspectors):
        errors["inspectors"] = _("只能选派本部门名录库中的执法人员。")
    if errors:
        raise ValidationError(errors)
    target: Any = enterprise or premises
    visible = (Enterprise if enterprise else Premises).objects.visible_to(actor).filter(pk=target.pk).exists()
    if not visible:
        raise PermissionDenied(_("被检查对象不在您的监管范围内。"))
    conflicted = Conflict.objects.filter(inspector__in=inspectors, enterprise=enterprise) if enterprise else None
    if conflicted is not None and conflicted.exists():
        raise ValidationError({"inspectors": _("%(n)s已申报与该企业有利害关系，应当回避（行政处罚法第四十三条）。") % {
            "n": "、".join(sorted({c.inspector.name for c in conflicted.select_related("inspector")}))}})
    inspection = Inspection(department=department, enterprise=enterprise, premises=premises,
                            jurisdiction_path=target.jurisdiction_path, origin=origin, plan_row=plan_row,
                            planned_date=planned_date, place=getattr(target, "address", "") or "", created_by=actor,
                            unannounced=bool(unannounced))
    inspection.save()
    inspection.inspectors.set(inspectors)
    audit.record(action="enforcement.inspection_create", obj=inspection,
                 changes=audit.diff({}, audit.snapshot(inspection, INSPECTION_FIELDS)))
    return inspection


def certificates_check(inspection: Inspection, shown: list[Any]) -> None:
    """第六十七条: valid 执法证 shown by at least two inspectors of the team (the ids of those shown)."""
    team = {i.pk: i for i in inspection.inspectors.all()}
    ids = set()
    for value in shown:
        try:
            ids.add(int(value))
        except (TypeError, ValueError):
            continue
    today = timezone.localdate()
    valid = [team[i] for i in ids if i in team and team[i].cert_valid_until >= today]
    if len(valid) < algorithm.MIN_INSPECTORS:
        raise ValidationError({"shown": _("须有至少两名检查人员出示有效的行政执法证件（安全生产法第六十七条）。")})


def _visible_inspection(actor: Any, inspection: Inspection) -> None:
    if not Inspection.objects.visible_to(actor).filter(pk=inspection.pk).exists():
        raise PermissionDenied(_("该检查不在您的范围内。"))


def _apply_inspection(step: Step) -> dict[str, Any]:
    inspection: Inspection = step.obj
    data = step.data
    if step.action == "start":
        team = {i.pk: i for i in inspection.inspectors.all()}
        shown = sorted({int(v) for v in data.get("shown") or [] if str(v).isdigit() and int(v) in team})
        inspection.certificates_shown = [{"inspector": i, "name": team[i].name, "cert_number": team[i].cert_number,
                                          "shown_at": step.now.isoformat()} for i in shown]
        inspection.started_at = step.now
        return {"shown": [team[i].cert_number for i in shown]}
    if step.action == "record":
        inspection.refused_to_sign = bool(data.get("refused_to_sign"))
        inspection.signer = "" if inspection.refused_to_sign else str(data.get("signer") or "").strip()[:60]
        inspection.refusal_note = str(data.get("refusal_note") or "").strip()[:500] if inspection.refused_to_sign \
            else ""
        if "summary" in data:
            inspection.summary = str(data.get("summary") or "").strip()
        days = data.get("review_days")
        try:
            days = int(days) if days not in (None, "") else None
        except (TypeError, ValueError) as exc:
            raise ValidationError({"review_days": _("整改期限应为天数。")}) from exc
        if days is not None and not 1 <= days <= 365:
            raise ValidationError({"review_days": _("整改期限应在1至365日之间。")})
        inspection.finished_at = step.now
        if days is None and inspection.findings.filter(result=FindingResult.HAZARD).exists():
            raise ValidationError({"review_days": _("发现隐患的，请填写责令整改期限（日）。")})
        inspection.review_days = days
        inspection.review_due = (timezone.localdate(step.now) + dt.timedelta(days=days)) if days else None
        return {}
    if step.action == "close":
        inspection.review_note = str(data.get("review_note") or "").strip()
    return {}


def _after_record(step: Step) -> None:
    inspection: Inspection = step.obj
    if step.action == "record" and inspection.refused_to_sign:
        from notifications.services import notify

        # 第六十八条: a refusal to sign is recorded and reported to the department.
        notify(title=_("被检查单位拒绝在检查记录上签字：%(t)s") % {"t": inspection.target_name},
               body=inspection.refusal_note[:200], url=f"/enforcement/inspections/{inspection.pk}/",
               units=[inspection.department], obj=inspection, dedupe_key=f"enf-refusal-{inspection.pk}")


def inspection_transition(*, actor: Any, inspection: Inspection, action: str, note: str = "",
                          **data: Any) -> Inspection:
    return transition(workflow=INSPECTION_TRANSITIONS, obj=inspection, actor=actor, action=action, note=note,
                      data=data, check=_visible_inspection, apply=_apply_inspection, on_applied=_after_record,
                      audit_fields=["status", "signer", "refused_to_sign", "review_due", "review_note"])


@transaction.atomic
def finding_add(*, actor: Any, inspection: Inspection, text: str, result: str, basis: str = "",
                deadline: dt.date | None = None, photos: Iterable[Any] = (),
                checklist_item_ref: Any = None, uuid: str | None = None) -> Finding:
    """A finding on an inspection in progress; a hazard finding becomes a hazard (found by government, so closed
    by government; the clause cited), ordered removed by the deadline (第六十五条). With a client ``uuid`` (the
    offline page), the same finding posted again returns the one already recorded."""
    from core.uploads import attach
    from hazards import services as hazard_services
    from hazards.choices import Source as HazardSource

    inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
    _visible_inspection(actor, inspection)
    key = parse_uuid(uuid) if uuid else None
    if key is not None:
        # Looked up after the inspection's lock: a retry racing the first post waits for it, then finds it.
        existing = Finding.objects.filter(uuid=key).first()
        if existing is not None:
            if existing.inspection_id != inspection.pk:
                raise ValidationError({"uuid": _("该记录编号已用于其他检查。")})
            return existing
    if not INSPECTION_TRANSITIONS[(InspectionStatus.ONSITE, InspectionStatus.RECORDED)].who(actor, inspection):
        raise PermissionDenied(_("只有检查组或本部门人员可以记录检查发现。"))
    errors: dict[str, Any] = {}
    if inspection.status != InspectionStatus.ONSITE:
        errors["text"] = _("只能在现场检查中记录检查发现。")
    if not (text or "").strip():
        errors["text"] = _("请填写检查发现。")
    if result not in FindingResult.values:
        errors["result"] = _("请选择检查结果。")
    if result == FindingResult.HAZARD and not (basis or "").strip():
        errors["basis"] = _("存在隐患的，请写明依据条款。")
    if result == FindingResult.HAZARD and inspection.enterprise_id is None and inspection.premises_id is None:
        errors["result"] = _("没有被检查对象，不能登记隐患。")
    if errors:
        raise ValidationError(errors)
    finding = Finding(inspection=inspection, order=inspection.findings.count() + 1, text=text.strip(),
                      basis=(basis or "").strip()[:300], result=result, deadline=deadline,
                      checklist_item_ref=checklist_item_ref, uuid=key)
    finding.save()
    photos = list(photos)
    for photo in photos:
        attach(actor=actor, owner=finding, file=photo, role="finding", kinds=("image",))
    if result == FindingResult.HAZARD:
        hazard_kwargs: dict[str, Any] = {}
        if inspection.enterprise_id is None:
            premises = inspection.premises
            hazard_kwargs = {"jurisdiction": premises.jurisdiction, "domain": premises.domain,
                             "place": premises.name}
        for photo in photos:
            photo.seek(0)
        hazard = hazard_services.hazard_register(
            actor=actor, description=text.strip(), source=HazardSource.GOVERNMENT, enterprise=inspection.enterprise,
            criterion=finding.basis, criterion_ref=finding_ref(finding), deadline=deadline,
            location=inspection.place, photos=photos, **hazard_kwargs)
        finding.hazard = hazard
        finding.save(update_fields=["hazard"])
    audit.record(action="enforcement.finding_add", obj=inspection,
                 changes={"finding": [None, finding.text[:200]], "result": [None, result],
                          "hazard": [None, finding.hazard_id]})
    return finding


def parse_uuid(value: Any) -> uuidlib.UUID:
    """A client's record uuid (the offline page makes one per submission)."""
    try:
        return uuidlib.UUID(str(value))
    except (TypeError, ValueError, AttributeError) as exc:
        raise ValidationError({"uuid": _("记录编号无效，请刷新页面后重新填写。")}) from exc


def finding_ref(finding: Finding) -> str:
    """The adapter to the checklist library: what a finding cites (its checklist item once linked)."""
    ref = finding.checklist_item_ref
    if isinstance(ref, dict) and ref.get("code"):
        return str(ref["code"])[:60]
    return f"执法检查{finding.inspection_id}-{finding.order}"


# -- 执法文书 numbering ------------------------------------------------------------------------------------

INSPECTION_DOCUMENTS = ("enforcement_record", "enforcement_order", "enforcement_review")
DOCUMENT_CODES = {
    "enforcement_record": "检记", "enforcement_order": "责改", "enforcement_review": "复查",
    "enforcement_penalty_notice": "罚告", "enforcement_penalty_decision": "罚决", "enforcement_coercive": "强措",
}
COERCIVE = "enforcement_coercive"
# 安全生产法第六十五条第一款: (三) 责令从危险区域撤出作业人员，责令暂时停产停业或者停止使用相关设施、设备;
# (四) 查封或者扣押; 行政强制法第二十五条: 查封、扣押的期限不得超过三十日.
COERCIVE_BASIS = {
    "seal": "《中华人民共和国安全生产法》第六十五条第一款第（四）项",
    "seize": "《中华人民共和国安全生产法》第六十五条第一款第（四）项",
    "suspend": "《中华人民共和国安全生产法》第六十五条第一款第（三）项",
    "evacuate": "《中华人民共和国安全生产法》第六十五条第一款第（三）项",
}
COERCIVE_MAX_DAYS = 30


def next_number(*, department: Unit, kind: str, year: int) -> tuple[int, str]:
    """The next number of a kind of document for a department and year: the counter row is locked
    (select_for_update) for the rest of the caller's transaction, so numbers are gap-free and unique."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_number() must run inside the issuing transaction")
    try:
        with transaction.atomic():
            DocumentCounter.objects.get_or_create(department=department, year=year, kind=kind)
    except IntegrityError:
        pass  # created by a concurrent transaction: lock it below
    counter = DocumentCounter.objects.select_for_update().get(department=department, year=year, kind=kind)
    counter.last += 1
    counter.save(update_fields=["last"])
    abbreviation = settings_for(department).abbreviation
    return counter.last, f"{abbreviation}{DOCUMENT_CODES.get(kind, '')}〔{year}〕{counter.last}号"


def _issue(department: Unit, kind: str, actor: Any, *, inspection: Inspection | None = None,
           case: Case | None = None) -> EnforcementDocument:
    existing = EnforcementDocument.objects.filter(inspection=inspection, case=case, kind=kind).first()
    if existing is not None:
        return existing
    year = timezone.localdate().year
    seq, number = next_number(department=department, kind=kind, year=year)
    document = EnforcementDocument.objects.create(inspection=inspection, case=case, department=department, kind=kind,
                                                  year=year, seq=seq, number=number,
                                                  issued_by=actor if getattr(actor, "pk", None) else None)
    audit.record(action="enforcement.document_issue", obj=inspection or case, changes={"document": [None, number]})
    return document


@transaction.atomic
def document_issue(*, actor: Any, inspection: Inspection, kind: str) -> EnforcementDocument:
    """Number a 执法文书 of an inspection (once per kind; issuing again returns the same number)."""
    _visible_inspection(actor, inspection)
    if kind == COERCIVE:
        raise ValidationError(_("强制措施决定书须先填写强制措施、事实和理由。"))
    if kind not in INSPECTION_DOCUMENTS:
        raise ValidationError(_("未知的文书类型。"))
    if not INSPECTION_TRANSITIONS[(InspectionStatus.ONSITE, InspectionStatus.RECORDED)].who(actor, inspection):
        raise PermissionDenied(_("只有检查组或本部门人员可以制作执法文书。"))
    existing = EnforcementDocument.objects.filter(inspection=inspection, kind=kind).first()
    if existing is not None:
        return existing
    if kind == "enforcement_order" and not inspection.findings.filter(result=FindingResult.HAZARD).exists():
        raise ValidationError(_("本次检查未发现隐患，无需责令限期整改。"))
    if kind != "enforcement_record" and inspection.status in (InspectionStatus.PLANNED, InspectionStatus.ONSITE):
        raise ValidationError(_("请先形成检查记录。"))
    return _issue(inspection.department, kind, actor, inspection=inspection)


@transaction.atomic
def coercive_measure_issue(*, actor: Any, inspection: Inspection, measure: str, reason: str, days: int,
                           place: str = "") -> EnforcementDocument:
    """强制措施决定书 (安全生产法第六十五条第一款第（三）（四）项; 行政强制法第十八、二十四、二十五条): numbered like
    the other 执法文书 (``next_number``), once per inspection; the measure, basis, period and reason are kept on it."""
    from enforcement.choices import CoerciveMeasure

    inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
    _visible_inspection(actor, inspection)
    if not INSPECTION_TRANSITIONS[(InspectionStatus.ONSITE, InspectionStatus.RECORDED)].who(actor, inspection):
        raise PermissionDenied(_("只有检查组或本部门人员可以制作执法文书。"))
    existing = EnforcementDocument.objects.filter(inspection=inspection, kind=COERCIVE).first()
    if existing is not None:
        raise ValidationError(_("本次检查已制作强制措施决定书（%(n)s）。") % {"n": existing.number})
    errors: dict[str, Any] = {}
    if inspection.status == InspectionStatus.PLANNED:
        errors["measure"] = _("请先开始现场检查。")
    if measure not in CoerciveMeasure.values:
        errors["measure"] = _("请选择强制措施。")
    if not (reason or "").strip():
        errors["reason"] = _("请写明采取强制措施的事实和理由。")
    try:
        days = int(days)
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= COERCIVE_MAX_DAYS:
        errors["days"] = _("期限应在1至30日之间（行政强制法第二十五条）。")
    if errors:
        raise ValidationError(errors)
    document = _issue(inspection.department, COERCIVE, actor, inspection=inspection)
    today = timezone.localdate()
    document.details = {"measure": measure, "measure_label": str(CoerciveMeasure(measure).label),
                        "basis": COERCIVE_BASIS[measure], "reason": reason.strip()[:1000], "days": days,
                        "from": today.isoformat(), "until": (today + dt.timedelta(days=days - 1)).isoformat(),
                        "place": (place or "").strip()[:300]}
    document.save(update_fields=["details"])
    audit.record(action="enforcement.coercive_measure_issue", obj=inspection,
                 changes={"measure": [None, measure], "days": [None, days], "document": [None, document.number]})
    return document


# -- penalty cases (行政处罚法; 安全生产法第七十八、一百一十三条) --------------------------------------------------

DECISION_DAYS = 90  # 行政处罚法第六十条: 自立案之日起九十日内作出行政处罚决定
PUBLISH_WORKDAYS = 7  # 安全生产法第七十八条第二款: 处罚决定后七个工作日内公开
CASE_FIELDS = ["status", "cause", "facts", "basis", "penalty_types", "fine_amount", "confiscation_amount",
               "decided_on", "served_on", "publish_due", "published_at", "withdrawn_at", "closure_flagged"]
MAX_AMOUNT = Decimal("9999999999.99")


@transaction.atomic
def case_open(*, actor: Any, enterprise: Enterprise, cause: str, inspection: Inspection | None = None,
              opened_on: dt.date | None = None) -> Case:
    """立案: the decision is due within 90 days (行政处罚法第六十条)."""
    department = department_of(actor)
    if not Enterprise.objects.visible_to(actor, grants=False).filter(pk=enterprise.pk).exists():
        raise PermissionDenied(_("当事人不在您的监管范围内。"))
    if not (cause or "").strip():
        raise ValidationError({"cause": _("请填写案由。")})
    if inspection is not None and (inspection.enterprise_id != enterprise.pk
                                   or inspection.department_id != department.pk):
        raise ValidationError({"inspection": _("来源检查须是本部门对该企业的检查。")})
    opened_on = opened_on or timezone.localdate()
    case = Case(department=department, enterprise=enterprise, jurisdiction_path=enterprise.jurisdiction_path,
                inspection=inspection, cause=cause.strip()[:300], opened_on=opened_on,
                decision_due=opened_on + dt.timedelta(days=DECISION_DAYS), created_by=actor)
    case.save()
    audit.record(action="enforcement.case_open", obj=case, changes=audit.diff({}, audit.snapshot(case, CASE_FIELDS)))
    return case


def _amount(value: Any, field: str) -> Decimal:
    try:
        amount = Decimal(str(value if value not in (None, "") else 0))
    except (ArithmeticError, ValueError) as exc:
        raise ValidationError({field: _("金额应为数字。")}) from exc
    if not amount.is_finite() or amount < 0 or amount > MAX_AMOUNT:
        raise ValidationError({field: _("金额应在0至99亿元之间。")})
    return amount.quantize(Decimal("0.01"))


def _apply_penalty(case: Case, data: dict[str, Any]) -> None:
    from enforcement.choices import PenaltyType

    for name in ("facts", "basis"):
        if str(data.get(name) or "").strip():
            setattr(case, name, str(data[name]).strip())
    if data.get("penalty_types"):
        types = data["penalty_types"]
        if isinstance(types, str):
            types = [types]
        if not all(t in PenaltyType.values for t in types):
            raise ValidationError({"penalty_types": _("处罚种类无效。")})
        case.penalty_types = sorted(set(types), key=PenaltyType.values.index)
    if "fine_amount" in data:
        case.fine_amount = _amount(data["fine_amount"], "fine_amount")
    if "confiscation_amount" in data:
        case.confiscation_amount = _amount(data["confiscation_amount"], "confiscation_amount")
    if PenaltyType.FINE in case.penalty_types and case.fine_amount <= 0:
        raise ValidationError({"fine_amount": _("处罚种类含罚款的，请填写罚款金额。")})
    if PenaltyType.FINE not in case.penalty_types and case.fine_amount > 0:
        raise ValidationError({"fine_amount": _("未选择罚款，不能填写罚款金额。")})


def _apply_case(step: Step) -> dict[str, Any]:
    from workdays.services import add_workdays

    case: Case = step.obj
    data = step.data
    today = timezone.localdate(step.now)
    if step.action in ("notify", "decide"):
        _apply_penalty(case, data)
    if step.action == "hear":
        case.statement = str(data.get("statement") or "").strip()
    if step.action == "decide":
        case.decided_on = today
        case.publish_due = add_workdays(today, PUBLISH_WORKDAYS)
    if step.action == "serve":
        served = data.get("served_on")
        if isinstance(served, str):
            try:
                served = dt.date.fromisoformat(served)
            except ValueError as exc:
                raise ValidationError({"served_on": _("送达日期无效。")}) from exc
        if served < (case.decided_on or today) or served > today:
            raise ValidationError({"served_on": _("送达日期应在决定日期与今天之间。")})
        case.served_on = served
    if step.action == "execute":
        case.executed_note = str(data.get("executed_note") or "").strip()[:300]
    return {}


def _after_case(step: Step) -> None:
    case: Case = step.obj
    if step.action == "notify":
        _issue(case.department, "enforcement_penalty_notice", step.actor, case=case)
    if step.action == "decide":
        _issue(case.department, "enforcement_penalty_decision", step.actor, case=case)
        credit_record_write(case)
        closure_check(case)


def _check_case_visible(actor: Any, case: Case) -> None:
    if not Case.objects.visible_to(actor).filter(pk=case.pk).exists():
        raise PermissionDenied(_("该案件不在您的范围内。"))


def case_transition(*, actor: Any, case: Case, action: str, note: str = "", **data: Any) -> Case:
    from enforcement.workflow import CASE_TRANSITIONS

    return transition(workflow=CASE_TRANSITIONS, obj=case, actor=actor, action=action, note=note, data=data,
                      check=_check_case_visible, apply=_apply_case, on_applied=_after_case,
                      audit_fields=["status", "penalty_types", "fine_amount", "decided_on", "publish_due",
                                    "served_on"])


def penalty_summary(case: Case) -> str:
    from enforcement.choices import PenaltyType

    parts = [str(PenaltyType(t).label) for t in case.penalty_types]
    if case.fine_amount:
        parts.append(f"罚款{case.fine_amount}元")
    if case.confiscation_amount:
        parts.append(f"没收{case.confiscation_amount}元")
    return "、".join(parts)


def credit_record_write(case: Case) -> None:
    """Each penalty decision writes the enterprise's credit record (in the decision's transaction): a penalty event
    of the credit module (credit.CreditEvent, which absorbed enforcement.CreditRecord)."""
    from credit.services import penalty_event_write

    penalty_event_write(case)


def closure_trigger(enterprise: Enterprise, today: dt.date) -> bool:
    """安全生产法第一百一十三条（一）: 存在重大事故隐患，一百八十日内三次或者一年内四次受到本法规定的行政处罚."""
    from hazards.choices import OPEN_STATUSES
    from hazards.choices import Grade as HazardGrade
    from hazards.models import Hazard

    decided = Case.objects.filter(enterprise=enterprise, decided_on__isnull=False, withdrawn_at__isnull=True)
    in_180 = decided.filter(decided_on__gt=today - dt.timedelta(days=180)).count()
    in_365 = decided.filter(decided_on__gt=today - dt.timedelta(days=365)).count()
    major = Hazard.objects.filter(enterprise=enterprise, grade=HazardGrade.MAJOR).filter(
        Q(status__in=OPEN_STATUSES) | Q(found_at__date__gt=today - dt.timedelta(days=365))).exists()
    return major and (in_180 >= 3 or in_365 >= 4)


def closure_check(case: Case) -> None:
    if case.closure_flagged or not closure_trigger(case.enterprise, case.decided_on or timezone.localdate()):
        return
    from notifications.services import notify

    Case.objects.filter(pk=case.pk).update(closure_flagged=True)
    case.closure_flagged = True
    offices = Unit.objects.filter(kind=UnitKind.OFFICE, active=True, collective=False)
    offices = [u for u in offices if case.enterprise.jurisdiction_path.startswith(u.jurisdiction_path)][:1]
    audit.record(action="enforcement.case_closure_flag", obj=case, changes={"closure_flagged": [False, True]},
                 note="安全生产法第一百一十三条")
    notify(title=_("提请关闭提示：%(e)s") % {"e": case.enterprise.name},
           body=_("该企业存在重大事故隐患，且一百八十日内三次或一年内四次受到行政处罚（安全生产法第一百一十三条），"
                  "请部门负责人研究是否提请地方人民政府予以关闭。"),
           url=f"/enforcement/cases/{case.pk}/", units=[case.department, *offices], obj=case,
           dedupe_key=f"enf-closure-{case.enterprise_id}-{case.pk}")


@transaction.atomic
def case_publish(*, actor: Any, case: Case) -> Case:
    """公示 (安全生产法第七十八条: within 7 working days of the decision)."""
    from enforcement.workflow import is_department_regulator

    case = Case.objects.select_for_update().get(pk=case.pk)
    _check_case_visible(actor, case)
    if not is_department_regulator(actor, case):
        raise PermissionDenied(_("只有办案部门可以公示处罚决定。"))
    if case.decided_on is None:
        raise ValidationError(_("尚未作出处罚决定。"))
    if case.published_at is not None:
        raise ValidationError(_("已公示。"))
    case.published_at = timezone.now()
    case.save(update_fields=["published_at"])
    audit.record(action="enforcement.case_publish", obj=case, changes={"published_at": [None, case.published_at]})
    return case


@transaction.atomic
def case_withdraw(*, actor: Any, case: Case, reason: str) -> Case:
    """撤回 a published decision changed, revoked or found unlawful (行政处罚法第四十八条: within 3 working days):
    off the public page, and its credit record revoked."""
    from enforcement.workflow import is_department_regulator

    case = Case.objects.select_for_update().get(pk=case.pk)
    _check_case_visible(actor, case)
    if not is_department_regulator(actor, case):
        raise PermissionDenied(_("只有办案部门可以撤回处罚决定信息。"))
    if case.decided_on is None or case.withdrawn_at is not None:
        raise ValidationError(_("该处罚决定未公示或已撤回。"))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("请说明撤回理由（变更、撤销、确认违法或无效）。")})
    now = timezone.now()
    case.withdrawn_at = now
    case.withdrawal_reason = reason.strip()[:300]
    case.save(update_fields=["withdrawn_at", "withdrawal_reason"])
    from credit.services import penalty_event_revoke

    penalty_event_revoke(case, at=now)
    audit.record(action="enforcement.case_withdraw", obj=case, changes={"withdrawn_at": [None, now]},
                 note=case.withdrawal_reason)
    return case
