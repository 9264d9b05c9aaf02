"""双报告: the enterprise's quarterly / annual 统计分析表, submitted with one action (a snapshot)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from core import audit
from hazards.choices import PeriodKind
from hazards.models import Hazard, StatisticsReport
from hazards.notify import notify_after_commit
from hazards.selectors import Period, statistics


def period_from(kind: str, year: int, quarter: int) -> Period:
    if kind not in PeriodKind.values:
        raise ValidationError(_("报表类型无效。"))
    if kind == PeriodKind.QUARTER and quarter not in (1, 2, 3, 4):
        raise ValidationError(_("季度应为 1 到 4。"))
    return Period(kind, year, quarter if kind == PeriodKind.QUARTER else 0)


Table = dict[str, dict[str, int]]


def report_figures(enterprise: Any, period: Period, *, hazards: QuerySet[Hazard] | None = None) -> Table:
    """The enterprise's 统计分析表; ``hazards`` (a ``visible_to`` queryset) narrows it to what a viewer may see."""
    return statistics((Hazard.objects.all() if hazards is None else hazards).filter(enterprise=enterprise), period)


def visible_report_figures(user: Any, enterprise: Any, period: Period) -> Table:
    """The table as ``user`` may see it: a department regulating one of the enterprise's domains sees that one."""
    return report_figures(enterprise, period, hazards=Hazard.objects.visible_to(user))


def domain_figures(enterprise: Any, period: Period, *, hazards: QuerySet[Hazard]) -> dict[str, Table]:
    """The same table per domain (code), for a snapshot that each regulator reads for its own domains."""
    codes = (hazards.filter(enterprise=enterprise).values_list("domain__code", flat=True).distinct()
             .order_by("domain__code"))
    return {code: report_figures(enterprise, period, hazards=hazards.filter(domain__code=code)) for code in codes}


def add_tables(tables: list[Table]) -> Table:
    keys = ("found", "rectified", "in_progress", "overdue")
    rows = ("general", "major", "unassessed", "total")
    return {row: {k: sum(t.get(row, {}).get(k, 0) for t in tables) for k in keys} for row in rows}


def snapshot_for(user: Any, report: StatisticsReport) -> tuple[Table | None, list[str]]:
    """A submitted table as ``user`` may read it, and the domains it was cut to ([] when nothing was cut).

    The snapshot keeps one table per domain; a viewer gets the sum over the domains of the enterprise's
    hazards that ``visible_to`` shows them. A snapshot from before the per-domain tables is shown whole only
    to those who see the whole enterprise (None otherwise)."""
    visible = set(Hazard.objects.visible_to(user).filter(enterprise=report.enterprise_id)
                  .values_list("domain__code", flat=True).distinct())
    if report.domain_figures:
        kept = sorted(code for code in report.domain_figures if code in visible)
        cut = kept if set(kept) != set(report.domain_figures) else []
        return add_tables([report.domain_figures[c] for c in kept]), cut
    scope = user.get_scope()
    if scope.covers_path(report.enterprise.jurisdiction_path) or report.enterprise_id in scope.enterprise_ids:
        return report.figures, []
    return None, []


@transaction.atomic
def stats_report_submit(*, actor: Any, enterprise: Any, kind: str, year: int, quarter: int = 0,
                        principal: str) -> StatisticsReport:
    """报送: freeze the figures as they are now; one report per period (a resubmission replaces nothing)."""
    if not (actor.has_role(Role.ENTERPRISE) and actor.enterprise_id == enterprise.pk):
        raise PermissionDenied(_("统计分析表由企业本身报送。"))
    period = period_from(kind, year, quarter)
    if period.end >= timezone.localdate():
        raise ValidationError(_("%(p)s尚未结束，结束后才能报送。") % {"p": period.label})
    if not (principal or "").strip():
        raise ValidationError({"principal": _("统计分析表须由主要负责人签字，请填写主要负责人姓名。")})
    if StatisticsReport.objects.filter(enterprise=enterprise, kind=kind, year=year, quarter=period.quarter).exists():
        raise ValidationError(_("%(p)s的统计分析表已经报送。") % {"p": period.label})
    own = Hazard.objects.visible_to(actor)  # the enterprise's account sees all of its own hazards
    report = StatisticsReport.objects.create(
        enterprise=enterprise, kind=kind, year=year, quarter=period.quarter, due_date=period.due,
        figures=report_figures(enterprise, period, hazards=own),
        domain_figures=domain_figures(enterprise, period, hazards=own), principal=principal.strip(),
        submitted_by=actor)
    audit.record(action="hazards.stats_submit", obj=report,
                 changes={"period": [None, period.label], "figures": [None, report.figures],
                          "principal": [None, report.principal]})
    from hazards.selectors import regulators_of

    units = []
    probe = Hazard(jurisdiction_path=enterprise.jurisdiction_path)
    for domain in enterprise.domains.all():
        probe.domain_id = domain.pk
        units += regulators_of(probe)[:1]
    notify_after_commit(title=_("%(e)s 报送了%(p)s隐患排查治理统计分析表") % {"e": enterprise.name, "p": period.label},
            url=f"/hazards/statistics/{report.pk}/", units=list(dict.fromkeys(units)), obj=report,
            dedupe_key=f"hazard-stats-{report.pk}")
    return report
