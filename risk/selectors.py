"""Reads: the overall grade of an enterprise, its 分类分级 class, and annotations used by lists and maps."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)

from risk.choices import (
    CLASS_FREQUENCY,
    CLASS_FROM_GRADE,
    CLASS_RANK,
    GRADE_RANK,
    EnterpriseClass,
    Grade,
)
from risk.models import ClassDecision, RiskPoint, RiskPointHazard

OVERALL_RULE = ("企业风险等级取其全部在册风险点中的最高等级（从严从高）；"
                "存在红色风险点且该风险点有未销号隐患的，在清单和地图上突出显示。")
CLASS_RULE = ("监管类别按企业风险等级确定：红→A类，橙→B类，黄→C类，蓝→D类，尚未评估→C类；"
              "有未销号的重大事故隐患，或涉及重大危险源，直接列为A类；"
              "涉及危险化学品、危险工艺、粉尘涉爆、涉氨制冷、有限空间等标识的，至少为B类；"
              "近一年有已销号的重大隐患的，提高一类（最高A类）；"
              "企业信用等级为C级（较差）的至少为B类，D级（严重失信）的列为A类（credit.rules）。"
              "监管部门可人工调整，须写明理由。")

RANK_GRADE = {v: k for k, v in GRADE_RANK.items()}
# Enterprise flags that raise the class to at least B (read defensively: the enterprise app may add more).
ELEVATING_FLAGS = ("flag_hazardous_chemicals", "flag_hazardous_process", "flag_dust_explosion",
                   "flag_ammonia_refrigeration", "flag_confined_space", "flag_metallurgy", "flag_non_coal_mine")
MAJOR_FLAGS = ("flag_major_hazard",)


def grade_rank_expr() -> Case:
    return Case(*[When(grade=g, then=Value(r)) for g, r in GRADE_RANK.items()], default=Value(0),
                output_field=IntegerField())


def overall_grade(enterprise: Any) -> str | None:
    """The most severe grade among the enterprise's active risk points (从严从高), None if none is assessed."""
    rank = (RiskPoint.objects.active().filter(enterprise=enterprise, grade__isnull=False)
            .aggregate(r=Max(grade_rank_expr()))["r"])
    return RANK_GRADE.get(rank) if rank else None


def annotate_overall(qs: QuerySet) -> QuerySet:
    """Annotate enterprises with ``risk_rank`` (0–4) in one query, for lists and the regulator's map."""
    sub = (RiskPoint.objects.active().filter(enterprise=OuterRef("pk"), grade__isnull=False)
           .annotate(rank=grade_rank_expr()).order_by("-rank").values("rank")[:1])
    red_open = RiskPoint.objects.active().filter(enterprise=OuterRef("pk"), grade=Grade.RED).filter(
        Exists(_open_hazard_links().filter(risk_point=OuterRef("pk"))))
    return qs.annotate(risk_rank=Subquery(sub, output_field=IntegerField()), red_open_hazard=Exists(red_open))


def _open_hazard_links() -> QuerySet:
    try:
        from hazards.choices import OPEN_STATUSES
    except ImportError:  # the hazards app not installed: no link can be open
        return RiskPointHazard.objects.none()
    return RiskPointHazard.objects.filter(hazard__status__in=OPEN_STATUSES)


def annotate_points(qs: QuerySet) -> QuerySet:
    """``open_hazards`` flag on risk points (a red point with one is highlighted everywhere)."""
    return qs.annotate(open_hazard=Exists(_open_hazard_links().filter(risk_point=OuterRef("pk"))))


@dataclass
class ClassInfo:
    klass: str
    computed: str
    overridden: bool
    frequency: int
    grade: str | None
    reasons: list[str] = field(default_factory=list)
    decision: ClassDecision | None = None

    @property
    def label(self) -> str:
        return str(EnterpriseClass(self.klass).label)

    @property
    def grade_label(self) -> str:
        return str(Grade(self.grade).label) if self.grade else "尚未评估"


def _raise(klass: str, to_at_least: str) -> str:
    return to_at_least if CLASS_RANK[to_at_least] > CLASS_RANK[klass] else klass


def _counted(what: str, count: int, shown: int | None) -> str:
    """A reason's count as the viewer may see it: their own share, never the enterprise's whole figure."""
    if shown is None or shown == count:
        return f"{what} {count} 项"
    if shown:
        return f"{what} {shown} 项（您监管的范围内；另有不在您监管范围内的）"
    return f"{what}（不在您监管的范围内）"


def compute_class(*, grade: str | None, flags: list[str], open_major_hazards: int,
                  closed_major_hazards_last_year: int, shown_open: int | None = None,
                  shown_closed: int | None = None, credit: str | None = None) -> tuple[str, list[str]]:
    """Pure rule (stated in CLASS_RULE) from the inputs; returns (class, reasons).

    The class is the enterprise's (one class, one inspection frequency, for every regulator); ``shown_*`` are the
    counts the reader may see (``visible_to``), used in the reasons in place of the enterprise-wide ones."""
    klass = CLASS_FROM_GRADE[grade]
    reasons = [f"企业风险等级：{Grade(grade).label if grade else '尚未评估'}"]
    if open_major_hazards:
        klass = EnterpriseClass.A
        reasons.append(_counted("有未销号的重大事故隐患", open_major_hazards, shown_open))
    if any(f in MAJOR_FLAGS for f in flags):
        klass = EnterpriseClass.A
        reasons.append("涉及重大危险源")
    elevating = [f for f in flags if f in ELEVATING_FLAGS]
    if elevating:
        new = _raise(klass, EnterpriseClass.B)
        if new != klass:
            reasons.append("涉及高危风险标识，至少为B类")
        klass = new
    if closed_major_hazards_last_year and klass != EnterpriseClass.A:
        order = [EnterpriseClass.D, EnterpriseClass.C, EnterpriseClass.B, EnterpriseClass.A]
        klass = order[order.index(EnterpriseClass(klass)) + 1]
        reasons.append(_counted("近一年有重大隐患", closed_major_hazards_last_year, shown_closed) + "（已销号），提高一类")
    if credit:
        # 国办发〔2015〕58号 (三)/(四): records of serious violations mean more inspection (credit.rules).
        from credit.choices import CreditClass
        from credit.rules import RISK_CLASS_FLOOR

        floor = RISK_CLASS_FLOOR.get(CreditClass(credit))
        if floor is not None:
            new = _raise(klass, floor)
            if new != klass:
                reasons.append(f"企业信用等级为{CreditClass(credit).label}，至少为{EnterpriseClass(floor).label}")
            klass = new
    return str(klass), reasons


def _hazard_counts(enterprise_ids: list[int], viewer: Any = None) -> dict[int, tuple[int, int]]:
    """{enterprise id: (open major hazards, major hazards found in the last year and since closed)};
    with a ``viewer``, only the hazards ``visible_to`` them."""
    try:
        from hazards.choices import OPEN_STATUSES
        from hazards.choices import Grade as HazardGrade
        from hazards.models import Hazard
    except ImportError:  # the hazards app not available: no hazard counts
        return {}
    import datetime as dt

    from django.utils import timezone

    since = timezone.now() - dt.timedelta(days=365)
    base = Hazard.objects.all() if viewer is None else Hazard.objects.visible_to(viewer)
    rows = (base.filter(enterprise_id__in=enterprise_ids, grade=HazardGrade.MAJOR)
            .values("enterprise_id")
            .annotate(open=_count_if(Q(status__in=OPEN_STATUSES)),
                      closed=_count_if(~Q(status__in=OPEN_STATUSES) & Q(found_at__gte=since))))
    return {r["enterprise_id"]: (r["open"] or 0, r["closed"] or 0) for r in rows}


def _count_if(q: Q) -> Any:
    return Count("pk", filter=q)


CLASS_FLAGS = (*ELEVATING_FLAGS, *MAJOR_FLAGS)


def class_flag_fields() -> list[str]:
    """The enterprise fields the class rule reads (``values()`` of them feeds ``ClassInputs.info``)."""
    from enterprises.models import Enterprise

    names = {f.name for f in Enterprise._meta.get_fields()}
    return [name for name in CLASS_FLAGS if name in names]


def flags_of(enterprise: Any) -> list[str]:
    """The set flags of an enterprise, or of a ``values()`` row of it."""
    if isinstance(enterprise, dict):
        return [name for name in CLASS_FLAGS if enterprise.get(name, False) is True]
    return [name for name in CLASS_FLAGS if getattr(enterprise, name, False) is True]


def flags_in(fields: list[str], values: tuple[Any, ...] | list[Any]) -> list[str]:
    """The set flags of a ``values_list(*class_flag_fields())`` row."""
    if not any(values):  # most enterprises: no flag set
        return []
    return [name for name, value in zip(fields, values, strict=True) if value is True]


@dataclass
class ClassInputs:
    """What the class rule needs from the database, fetched for many enterprises at once; ``info`` applies the
    rule (``compute_class``) and the latest manual decision to one of them."""

    ranks: dict[int, int]
    hazards: dict[int, tuple[int, int]]
    seen: dict[int, tuple[int, int]] | None
    decisions: dict[int, ClassDecision]
    credit: dict[int, str] = field(default_factory=dict)  # credit classes other than A (credit.selectors)
    _memo: dict[tuple[Any, ...], tuple[str, list[str]]] = field(default_factory=dict, repr=False)

    def _computed(self, pk: int, flags: list[str]) -> tuple[str | None, str, list[str]]:
        grade = RANK_GRADE.get(self.ranks.get(pk) or 0)
        open_major, closed_major = self.hazards.get(pk, (0, 0))
        shown_open, shown_closed = (None, None) if self.seen is None else self.seen.get(pk, (0, 0))
        credit = self.credit.get(pk)
        key = (grade, tuple(flags), open_major, closed_major, shown_open, shown_closed, credit)
        if key not in self._memo:  # most enterprises share their inputs: the rule runs once per distinct input
            self._memo[key] = compute_class(grade=grade, flags=flags, open_major_hazards=open_major,
                                            closed_major_hazards_last_year=closed_major, shown_open=shown_open,
                                            shown_closed=shown_closed, credit=credit)
        computed, reasons = self._memo[key]
        return grade, computed, reasons

    def _decision(self, pk: int) -> ClassDecision | None:
        """The latest manual decision when it sets a class (a decision without one restores the rule's)."""
        decision = self.decisions.get(pk)
        return decision if decision is not None and decision.klass else None

    def klass(self, pk: int, flags: list[str]) -> str:
        """The class alone (``info(...).klass``), for populations of a million rows."""
        decision = self._decision(pk)
        return decision.klass if decision is not None else self._computed(pk, flags)[1]

    def info(self, pk: int, flags: list[str]) -> ClassInfo:
        grade, computed, reasons = self._computed(pk, flags)
        reasons = list(reasons)
        decision = self._decision(pk)
        klass, overridden = computed, False
        if decision is not None:
            klass, overridden = decision.klass, True
            reasons.append(f"人工调整：{decision.reason}")
        return ClassInfo(klass=klass, computed=computed, overridden=overridden, frequency=CLASS_FREQUENCY[klass],
                         grade=grade, reasons=reasons, decision=self.decisions.get(pk))


def class_inputs(ids: Any, *, viewer: Any = None, ranks: dict[int, int] | None = None) -> ClassInputs:
    """The class rule's inputs for the enterprises ``ids`` (a list of ids, or a ``values("pk")`` queryset for a
    whole population: the queries are then aggregates over it, as many as for one enterprise)."""
    if ranks is None:
        ranks = dict(RiskPoint.objects.active().filter(enterprise_id__in=ids, grade__isnull=False)
                     .values("enterprise_id").annotate(r=Max(grade_rank_expr())).values_list("enterprise_id", "r"))
    hazards = _hazard_counts(ids)
    seen = _hazard_counts(ids, viewer) if viewer is not None else None
    decisions: dict[int, ClassDecision] = {}
    for d in (ClassDecision.objects.filter(enterprise_id__in=ids).order_by("enterprise_id", "-decided_at", "-pk")
              .iterator(chunk_size=2000)):
        decisions.setdefault(d.enterprise_id, d)
    return ClassInputs(ranks=ranks, hazards=hazards, seen=seen, decisions=decisions, credit=_credit_classes(ids))


def _credit_classes(ids: Any) -> dict[int, str]:
    """The stored credit class (``Enterprise.credit_class``, kept by ``credit.standing``) of the enterprises below
    A, in one query: the same class the credit figures and lists read."""
    from enterprises.models import Enterprise

    return dict(Enterprise.objects.filter(pk__in=ids).exclude(credit_class="a").order_by()
                .values_list("pk", "credit_class"))


def classes_for(enterprises: list[Any], *, viewer: Any = None) -> dict[int, ClassInfo]:
    """The 分类分级 class of several enterprises in a fixed number of queries (lists, maps).
    Uses ``risk_rank`` when the enterprises were annotated by ``annotate_overall``. Pages pass the ``viewer``:
    the class is the enterprise's, but the counts in its reasons are only what the viewer may see."""
    ids = [e.pk for e in enterprises]
    if not ids:
        return {}
    ranks = {e.pk: e.risk_rank for e in enterprises} if all(hasattr(e, "risk_rank") for e in enterprises) else None
    inputs = class_inputs(ids, viewer=viewer, ranks=ranks)
    return {e.pk: inputs.info(e.pk, flags_of(e)) for e in enterprises}


def enterprise_class(enterprise: Any, *, viewer: Any = None) -> ClassInfo:
    """The 分类分级 class of one enterprise: the rule's result, or the latest manual decision."""
    return classes_for([enterprise], viewer=viewer)[enterprise.pk]
