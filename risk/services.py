"""Every write of the risk app: keyword-only, in a transaction, recorded in the change log."""

from __future__ import annotations

import datetime as dt
import math
import struct
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.choices import Role
from core import audit
from core.formats import plain_number
from core.uploads import attach
from core.workflow import Step, transition
from enterprises.models import copied_keys
from risk import scoring, workflow
from risk.choices import (
    GRADE_DEFAULT_LEVEL,
    AccidentType,
    ControlLevel,
    EnterpriseClass,
    MeasureKind,
    Method,
    PointKind,
    hazard_factor_labels,
)
from risk.models import (
    ClassDecision,
    ControlMeasure,
    GradingScheme,
    PreShiftMeeting,
    RiskAssessment,
    RiskPoint,
    RiskPointHazard,
    RiskReport,
    SitePlan,
)
from risk.workflow import REVIEWERS

POINT_FIELDS = ["kind", "name", "location", "department", "team", "description", "hazard_factors",
                "accident_types", "control_level", "responsible", "review_date", "emergency_actions", "duties",
                "emergency_phone"]
ASSESS_FIELDS = ["method", "score_l", "score_e", "score_c", "score_s", "value", "grade", "direct_major",
                 "direct_reason"]
CLASSIFIERS = (Role.OFFICE, Role.REGULATOR)


# -- permissions -------------------------------------------------------------------------------
def can_edit(actor: Any, enterprise: Any) -> bool:
    """Risk identification is the enterprise's own duty: its accounts keep the list. A command or loader
    (no actor) may write too."""
    if actor is None:
        return True
    return bool(actor.has_role(Role.ENTERPRISE) and actor.enterprise_id == enterprise.pk)


def _require_edit(actor: Any, enterprise: Any) -> None:
    if not can_edit(actor, enterprise):
        raise PermissionDenied(_("只有本企业的账号可以维护风险清单。"))


def _visible(model: Any, actor: Any, pk: int) -> bool:
    if actor is None:
        return True
    return model.objects.visible_to(actor).filter(pk=pk).exists()


def _check_choices(values: Iterable[str], allowed: Iterable[str], label: str) -> list[str]:
    allowed_set = set(allowed)
    out = list(dict.fromkeys(values))
    bad = [v for v in out if v not in allowed_set]
    if bad:
        raise ValidationError({label: _("无效的取值：%(v)s") % {"v": "、".join(bad)}})
    return out


def _clean_point_values(values: dict[str, Any]) -> dict[str, Any]:
    if "kind" in values and values["kind"] not in PointKind.values:
        raise ValidationError({"kind": _("请选择风险点类型。")})
    if "name" in values and not (values["name"] or "").strip():
        raise ValidationError({"name": _("请填写风险点名称。")})
    if "hazard_factors" in values:
        values["hazard_factors"] = _check_choices(values["hazard_factors"] or [], hazard_factor_labels(),
                                                  "hazard_factors")
    if "accident_types" in values:
        values["accident_types"] = _check_choices(values["accident_types"] or [], AccidentType.values,
                                                  "accident_types")
    if values.get("control_level") and values["control_level"] not in ControlLevel.values:
        raise ValidationError({"control_level": _("请选择管控层级。")})
    return values


# -- risk points -------------------------------------------------------------------------------
@transaction.atomic
def risk_point_create(*, actor: Any, enterprise: Any, kind: str, name: str, **values: Any) -> RiskPoint:
    _require_edit(actor, enterprise)
    unknown = set(values) - set(POINT_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields {unknown}")
    values = _clean_point_values({"kind": kind, "name": name, **values})
    point = RiskPoint(enterprise=enterprise, **values).copy_scope_keys()
    point.save()
    audit.record(action="risk.point_create", obj=point, changes=audit.diff({}, audit.snapshot(point, POINT_FIELDS)))
    if not _visible(RiskPoint, actor, point.pk):
        raise PermissionDenied
    return point


@transaction.atomic
def risk_point_update(*, actor: Any, risk_point: RiskPoint, **values: Any) -> RiskPoint:
    point = RiskPoint.objects.select_for_update().get(pk=risk_point.pk)
    _require_edit(actor, point.enterprise)
    unknown = set(values) - set(POINT_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields {unknown}")
    values = _clean_point_values(values)
    before = audit.snapshot(point, POINT_FIELDS)
    for k, v in values.items():
        setattr(point, k, v)
    point.save()
    changes = audit.diff(before, audit.snapshot(point, POINT_FIELDS))
    if changes:
        audit.record(action="risk.point_update", obj=point, changes=changes)
    return point


@transaction.atomic
def risk_point_archive(*, actor: Any, risk_point: RiskPoint, reason: str) -> RiskPoint:
    point = RiskPoint.objects.select_for_update().get(pk=risk_point.pk)
    _require_edit(actor, point.enterprise)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("请说明撤销理由（如设备已拆除、作业已停止）。")})
    point.archived = True
    point.save(update_fields=["archived", "updated_at"])
    audit.record(action="risk.point_archive", obj=point, changes={"archived": [False, True]}, note=reason)
    return point


def schemes_for(enterprise: Any, method: str) -> list[GradingScheme]:
    """The schemes that apply: those of the enterprise's domains, else the default row, else the built-in
    default of rules.md (an unsaved row)."""
    domain_ids = list(enterprise.domains.values_list("pk", flat=True))
    rows = list(GradingScheme.objects.filter(method=method, domain_id__in=domain_ids))
    if rows:
        return rows
    default = GradingScheme.objects.filter(method=method, domain__isnull=True).first()
    if default is not None:
        return [default]
    return [builtin_scheme(method)]


def builtin_scheme(method: str) -> GradingScheme:
    bands = scoring.DEFAULT_BANDS[method]
    name = _("LEC 默认分级（D>320 红，160<D≤320 橙，70<D≤160 黄，D≤70 蓝）") if method == Method.LEC else \
        _("风险矩阵默认分级（R≥20 红，15≤R<20 橙，9≤R<15 黄，R<9 蓝）")
    return GradingScheme(name=name, method=method, red_threshold=bands.red, orange_threshold=bands.orange,
                         yellow_threshold=bands.yellow, inclusive=bands.inclusive, version=1)


@transaction.atomic
def risk_point_assess(*, actor: Any, risk_point: RiskPoint, method: str, inputs: dict[str, Any] | None = None,
                      direct_major: bool = False, direct_reason: str = "", reason: str = "") -> RiskAssessment:
    """Score the point (LEC or LS) and/or determine it directly; keep the assessment in the history.
    Several applicable schemes (domains): the most severe grade stands (从严从高)."""
    point = RiskPoint.objects.select_for_update().select_related("enterprise").get(pk=risk_point.pk)
    _require_edit(actor, point.enterprise)
    inputs = {k: v for k, v in (inputs or {}).items() if v not in (None, "")}
    if direct_major and not (direct_reason or "").strip():
        raise ValidationError({"direct_reason": _("直接判定为重大风险时，请写明依据（如重大事故隐患判定标准第几项、重大危险源）。")})
    if method == Method.DIRECT and not direct_major:
        raise ValidationError({"method": _("直接判定须勾选“直接判定为重大风险”并写明依据。")})
    try:
        if method in (Method.LEC, Method.LS):
            results = [(s, scoring.assess(method=method, inputs=inputs, bands=s.bands, direct_major=direct_major))
                       for s in schemes_for(point.enterprise, method)]
            scheme, result = max(results, key=lambda r: (scoring.GRADE_RANK[r[1].grade],
                                                          scoring.GRADE_RANK.get(r[1].score_grade or "", 0)))
        elif method == Method.DIRECT:
            scheme, result = None, scoring.assess(method=method, inputs={}, direct_major=True)
        else:
            raise ValidationError({"method": _("请选择评价方法。")})
    except KeyError as exc:
        raise ValidationError({"inputs": _("缺少取值：%(k)s") % {"k": str(exc.args[0]).upper()}}) from exc
    except ValueError as exc:
        raise ValidationError({"inputs": str(exc)}) from exc
    before = audit.snapshot(point, ASSESS_FIELDS)
    keys = scoring.TABLES.get(method, {}).keys()
    clean = {k: plain_number(Decimal(str(inputs[k]))) for k in keys}
    point.method = method
    point.score_l = Decimal(clean["l"]) if "l" in clean else None
    point.score_e = Decimal(clean["e"]) if "e" in clean else None
    point.score_c = Decimal(clean["c"]) if "c" in clean else None
    point.score_s = Decimal(clean["s"]) if "s" in clean else None
    point.value = result.value
    point.grade = result.grade
    point.direct_major = direct_major
    point.direct_reason = direct_reason.strip() if direct_major else ""
    if not point.control_level:
        point.control_level = GRADE_DEFAULT_LEVEL[result.grade]
    point.save()
    assessment = RiskAssessment(
        risk_point=point, method=method, inputs=clean,
        value=result.value, score_grade=result.score_grade, grade=result.grade, direct_major=direct_major,
        direct_reason=point.direct_reason, scheme=str(scheme) if scheme else "",
        thresholds={"red": str(scheme.red_threshold), "orange": str(scheme.orange_threshold),
                    "yellow": str(scheme.yellow_threshold), "inclusive": scheme.inclusive} if scheme else {},
        reason=reason.strip(), assessed_by=actor if getattr(actor, "pk", None) else None).copy_scope_keys()
    assessment.save()
    audit.record(action="risk.point_assess", obj=point, changes=audit.diff(before, audit.snapshot(point, ASSESS_FIELDS)),
                 note=reason)
    return assessment


# -- control measures ---------------------------------------------------------------------------
@transaction.atomic
def measure_add(*, actor: Any, risk_point: RiskPoint, kind: str, level: str, content: str,
                responsible: str) -> ControlMeasure:
    _require_edit(actor, risk_point.enterprise)
    if kind not in MeasureKind.values:
        raise ValidationError({"kind": _("请选择措施类别。")})
    if level not in ControlLevel.values:
        raise ValidationError({"level": _("请选择管控层级。")})
    if not (content or "").strip():
        raise ValidationError({"content": _("请填写管控措施。")})
    if not (responsible or "").strip():
        raise ValidationError({"responsible": _("每项管控措施都要有责任人。")})
    measure = ControlMeasure(risk_point=risk_point, kind=kind, level=level, content=content.strip(),
                             responsible=responsible.strip()).copy_scope_keys()
    measure.save()
    audit.record(action="risk.measure_add", obj=risk_point,
                 changes={"measure": [None, f"{measure.get_kind_display()}：{measure.content}（{measure.responsible}）"]})
    return measure


@transaction.atomic
def measure_delete(*, actor: Any, measure: ControlMeasure) -> None:
    point = measure.risk_point
    _require_edit(actor, point.enterprise)
    label = f"{measure.get_kind_display()}：{measure.content}（{measure.responsible}）"
    measure.delete()
    audit.record(action="risk.measure_delete", obj=point, changes={"measure": [label, None]})


# -- 风险报告 ------------------------------------------------------------------------------------
def snapshot_points(enterprise: Any) -> list[dict[str, Any]]:
    rows = (RiskPoint.objects.active().filter(enterprise=enterprise).order_by("pk")
            .values("pk", "name", "kind", "grade", "value", "method", "location"))
    return [{"id": r["pk"], "name": r["name"], "kind": r["kind"], "grade": r["grade"],
             "value": None if r["value"] is None else plain_number(r["value"]), "method": r["method"],
             "location": r["location"]} for r in rows]


def compare_snapshots(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """What changed between two reports: points added, removed, and whose grade changed."""
    before = {p["id"]: p for p in old}
    after = {p["id"]: p for p in new}
    return {
        "added": [after[k] for k in after if k not in before],
        "removed": [before[k] for k in before if k not in after],
        "grade_changed": [{**after[k], "from": before[k]["grade"], "to": after[k]["grade"]}
                          for k in after if k in before and before[k]["grade"] != after[k]["grade"]],
    }


@transaction.atomic
def report_submit(*, actor: Any, enterprise: Any, note: str = "") -> RiskReport:
    """Submit the current list to the regulators (first report, and every later change, the same way)."""
    from risk.selectors import overall_grade

    _require_edit(actor, enterprise)
    last = (RiskReport.objects.select_for_update().filter(enterprise=enterprise).order_by("-version").first())
    points = snapshot_points(enterprise)
    if not points:
        raise ValidationError(_("风险清单是空的：请先辨识并评估风险点，再报告。"))
    unassessed = [p["name"] for p in points if not p["grade"]]
    if unassessed:
        raise ValidationError(_("以下风险点尚未评估等级，不能报告：%(n)s") % {"n": "、".join(unassessed[:10])})
    changes = compare_snapshots(last.snapshot if last else [], points)
    if last is not None and not any(changes.values()):
        raise ValidationError(_("与上次报告（第%(v)d版）相比没有新增、撤销或等级变化，无需重复报告。") % {"v": last.version})
    report = RiskReport(
        enterprise=enterprise, version=(last.version + 1) if last else 1,
        snapshot=points, overall_grade=overall_grade(enterprise), changes=changes, note=(note or "").strip(),
        submitted_by=actor if getattr(actor, "pk", None) else None).copy_scope_keys()
    report.save()
    audit.record(action="risk.report_submit", obj=report,
                 changes={"version": [last.version if last else None, report.version],
                          "overall_grade": [last.overall_grade if last else None, report.overall_grade]},
                 note=f"+{len(changes['added'])} -{len(changes['removed'])} ~{len(changes['grade_changed'])}")
    _notify_reviewers(report)
    return report


def reviewer_units(enterprise: Any) -> list[Any]:
    """Who signs for an enterprise's risk list: the departments regulating one of its domains and the township
    (street, park) governments over its place, each only where its territory covers the enterprise."""
    from orgs.choices import TERRITORIAL_UNIT_KINDS, UnitKind
    from orgs.models import Unit

    path = enterprise.jurisdiction_path
    departments = Unit.objects.filter(kind=UnitKind.DEPARTMENT, active=True, collective=False,
                                      domains__in=enterprise.domains.all()).distinct()
    townships = Unit.objects.filter(kind__in=TERRITORIAL_UNIT_KINDS, active=True, collective=False)
    return [u for u in [*departments, *townships] if path.startswith(u.jurisdiction_path)]


def _notify_reviewers(report: RiskReport) -> None:
    """A submitted list is a hand-over: its reviewers hear of it (after the commit)."""
    from django.urls import reverse

    from core.workflow import after_commit
    from notifications.services import notify

    enterprise = report.enterprise
    units = reviewer_units(enterprise)
    title = _("待签收风险清单：%(e)s（第%(v)d版）") % {"e": enterprise.name, "v": report.version}
    body = _("新增 %(a)d 个、撤销 %(r)d 个、等级变化 %(g)d 个风险点。") % {
        "a": len(report.changes.get("added", [])), "r": len(report.changes.get("removed", [])),
        "g": len(report.changes.get("grade_changed", []))}
    url = reverse("risk:report", args=[report.pk])
    after_commit(lambda: notify(title=title, body=body, url=url, kind="decision", units=units, obj=report,
                                dedupe_key=f"risk-report-{report.pk}"))


def _apply_acknowledgement(step: Step) -> None:
    report = step.obj
    report.acknowledged_by, report.acknowledged_at, report.acknowledge_note = step.actor, step.now, step.note


def _check_report_visible(actor: Any, report: RiskReport) -> None:
    if not _visible(RiskReport, actor, report.pk):
        raise PermissionDenied


def report_acknowledge(*, actor: Any, report: RiskReport, note: str = "") -> RiskReport:
    if not workflow.is_reviewer(actor, report):
        raise PermissionDenied(_("只有监管部门或乡镇（街道）可以签收风险报告。"))
    return transition(workflow=workflow.TRANSITIONS, obj=report, action="acknowledge", actor=actor, note=note,
                      check=_check_report_visible, apply=_apply_acknowledgement)


# -- site plan and placements --------------------------------------------------------------------
def image_size(head: bytes) -> tuple[int, int] | None:
    """(width, height) of a PNG, GIF or JPEG from its first bytes, without an imaging library."""
    if head[:8] == b"\x89PNG\r\n\x1a\n" and len(head) >= 24:
        return struct.unpack(">II", head[16:24])
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return struct.unpack("<HH", head[6:10])
    if head[:2] == b"\xff\xd8":
        i = 2
        while i + 9 < len(head):
            if head[i] != 0xFF:
                i += 1
                continue
            marker = head[i + 1]
            length = struct.unpack(">H", head[i + 2:i + 4])[0]
            if marker in (0xC0, 0xC1, 0xC2):
                h, w = struct.unpack(">HH", head[i + 5:i + 9])
                return w, h
            i += 2 + length
    return None


@transaction.atomic
def site_plan_upload(*, actor: Any, enterprise: Any, file: UploadedFile) -> SitePlan:
    _require_edit(actor, enterprise)
    plan, _created = SitePlan.objects.select_for_update().get_or_create(
        enterprise=enterprise, defaults=copied_keys(SitePlan, enterprise))
    attachment = attach(actor=actor, owner=plan, file=file, role="site_plan", kinds=("image",))
    file.seek(0)
    size = image_size(file.read(256 * 1024))
    plan.attachment = attachment
    plan.width, plan.height = size if size else (None, None)
    plan.save()
    return plan


MAX_VERTICES = 500


def _check_xy(pair: Any, plan: SitePlan | None) -> list[float]:
    if not isinstance(pair, list | tuple) or len(pair) != 2:
        raise ValidationError(_("坐标格式不正确。"))
    x, y = pair
    if not all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in (x, y)):
        raise ValidationError(_("坐标必须是数字。"))
    if plan is not None and plan.width and plan.height:
        if not (-1 <= x <= plan.width + 1 and -1 <= y <= plan.height + 1):
            raise ValidationError(_("位置超出了平面图范围。"))
    return [round(float(x), 1), round(float(y), 1)]


def validate_geometry(geometry: Any, plan: SitePlan | None = None) -> dict[str, Any]:
    """A GeoJSON Point or Polygon in the plan's pixel coordinates."""
    if not isinstance(geometry, dict) or geometry.get("type") not in ("Point", "Polygon"):
        raise ValidationError(_("位置须为点（Point）或多边形（Polygon）。"))
    coords = geometry.get("coordinates")
    if geometry["type"] == "Point":
        return {"type": "Point", "coordinates": _check_xy(coords, plan)}
    if not isinstance(coords, list) or len(coords) != 1 or not isinstance(coords[0], list):
        raise ValidationError(_("多边形只能有一个外环。"))
    ring = [_check_xy(p, plan) for p in coords[0]]
    if len(ring) > MAX_VERTICES:
        raise ValidationError(_("多边形顶点过多。"))
    if ring and ring[0] != ring[-1]:
        ring.append(ring[0])
    if len(ring) < 4:
        raise ValidationError(_("多边形至少需要三个顶点。"))
    return {"type": "Polygon", "coordinates": [ring]}


@transaction.atomic
def placement_save(*, actor: Any, risk_point: RiskPoint, geometry: dict[str, Any] | None) -> RiskPoint:
    point = RiskPoint.objects.select_for_update().get(pk=risk_point.pk)
    _require_edit(actor, point.enterprise)
    plan = SitePlan.objects.filter(enterprise_id=point.enterprise_id).first()
    if geometry is not None:
        if plan is None or plan.attachment_id is None:
            raise ValidationError(_("请先上传厂区平面图。"))
        geometry = validate_geometry(geometry, plan)
    before = point.plan_geometry
    point.plan_geometry = geometry
    point.save(update_fields=["plan_geometry", "updated_at"])
    audit.record(action="risk.point_place", obj=point, changes={"plan_geometry": [before, geometry]})
    return point


# -- 分类分级 -----------------------------------------------------------------------------------
@transaction.atomic
def class_override(*, actor: Any, enterprise: Any, klass: str | None, reason: str) -> ClassDecision:
    if actor is None or not actor.has_role(*CLASSIFIERS):
        raise PermissionDenied(_("只有安委办或行业监管部门可以调整企业监管类别。"))
    from enterprises.models import Enterprise

    if not Enterprise.objects.visible_to(actor, grants=False).filter(pk=enterprise.pk).exists():
        raise PermissionDenied
    if klass and klass not in EnterpriseClass.values:
        raise ValidationError({"klass": _("请选择监管类别。")})
    if len((reason or "").strip()) < 4:
        raise ValidationError({"reason": _("人工调整监管类别必须写明理由。")})
    previous = ClassDecision.objects.filter(enterprise=enterprise).first()
    decision = ClassDecision(enterprise=enterprise, klass=klass or None, reason=reason.strip(),
                             decided_by=actor).copy_scope_keys()
    decision.save()
    audit.record(action="risk.class_override", obj=enterprise,
                 changes={"class": [previous.klass if previous else None, decision.klass]}, note=decision.reason)
    return decision


# -- 班前会 -------------------------------------------------------------------------------------
@transaction.atomic
def meeting_record(*, actor: Any, enterprise: Any, date: dt.date, team: str, host: str, attendees: str,
                   task: str, risks: str, measures: str) -> PreShiftMeeting:
    _require_edit(actor, enterprise)
    for name, value in (("team", team), ("host", host), ("attendees", attendees), ("task", task),
                        ("risks", risks), ("measures", measures)):
        if not (value or "").strip():
            raise ValidationError({name: _("此项必填。")})
    meeting = PreShiftMeeting(
        enterprise=enterprise, date=date, team=team.strip(),
        host=host.strip(), attendees=attendees.strip(), task=task.strip(), risks=risks.strip(),
        measures=measures.strip(), created_by=actor if getattr(actor, "pk", None) else None).copy_scope_keys()
    meeting.save()
    audit.record(action="risk.meeting_record", obj=meeting,
                 changes=audit.diff({}, audit.snapshot(meeting, ["date", "team", "host", "attendees"])))
    return meeting


# -- risk ↔ hazard -----------------------------------------------------------------------------
@transaction.atomic
def hazard_link(*, actor: Any, risk_point: RiskPoint, hazard: Any) -> RiskPointHazard:
    from hazards.models import Hazard

    if actor is not None:
        if not _visible(RiskPoint, actor, risk_point.pk) or not Hazard.objects.visible_to(actor).filter(
                pk=hazard.pk).exists():
            raise PermissionDenied
        if not (can_edit(actor, risk_point.enterprise) or actor.has_role(*REVIEWERS, Role.INSPECTOR)):
            raise PermissionDenied(_("您不能关联该隐患。"))
    if hazard.enterprise_id != risk_point.enterprise_id:
        raise ValidationError(_("隐患与风险点必须属于同一家企业。"))
    if RiskPointHazard.objects.filter(hazard=hazard).exists():
        raise ValidationError(_("该隐患已关联到一个风险点。"))
    link = RiskPointHazard(risk_point=risk_point, hazard=hazard).copy_scope_keys()
    link.save()
    audit.record(action="risk.hazard_link", obj=risk_point, changes={"hazard": [None, hazard.pk]})
    return link


@transaction.atomic
def hazard_unlink(*, actor: Any, link: RiskPointHazard) -> None:
    point = link.risk_point
    if actor is not None and not (can_edit(actor, point.enterprise) or actor.has_role(*REVIEWERS, Role.INSPECTOR)):
        raise PermissionDenied
    hazard_id = link.hazard_id
    link.delete()
    audit.record(action="risk.hazard_unlink", obj=point, changes={"hazard": [hazard_id, None]})


# -- grading schemes ------------------------------------------------------------------------------
@transaction.atomic
def scheme_save(*, actor: Any, method: str, domain: Any = None, name: str, red: Decimal, orange: Decimal,
                yellow: Decimal, inclusive: bool) -> GradingScheme:
    """Create or change a scheme; a change bumps its version (each assessment records the version it used)."""
    if actor is not None and not actor.has_role(Role.OFFICE):
        raise PermissionDenied(_("只有安委办可以设置风险分级方案。"))
    try:
        scoring.Bands(Decimal(red), Decimal(orange), Decimal(yellow), inclusive)
    except ValueError as exc:
        raise ValidationError(_("阈值须满足：重大 > 较大 > 一般。")) from exc
    scheme = GradingScheme.objects.select_for_update().filter(method=method, domain=domain).first()
    fields = ["name", "red_threshold", "orange_threshold", "yellow_threshold", "inclusive"]
    before = audit.snapshot(scheme, fields) if scheme else {}
    if scheme is None:
        scheme = GradingScheme(method=method, domain=domain)
    scheme.name, scheme.red_threshold, scheme.orange_threshold = name, red, orange
    scheme.yellow_threshold, scheme.inclusive = yellow, inclusive
    after = audit.snapshot(scheme, fields)
    changes = audit.diff(before, after)
    if scheme.pk and not changes:
        return scheme
    if scheme.pk:
        scheme.version += 1
    scheme.save()
    audit.record(action="risk.scheme_save", obj=scheme, changes=changes)
    return scheme
