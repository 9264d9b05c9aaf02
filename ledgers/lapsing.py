"""ONE mechanism for every date that can lapse: licences, periodic inspections, certificates, open permits,
emergency-plan reviews and the due-date columns of user-defined ledgers.

Each kind is a ``DeadlineKind`` (model, due field, which rows are still open). The expiring list, the
enterprise page, the counts per scope and the reminders of the escalation engine all read this table;
``ledgers.deadline_sources.register()`` hands every kind to ``escalation.registry`` as a DeadlineSource."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enterprises.models import Licence
from ledgers.choices import EquipmentStatus
from ledgers.models import (
    CustomRow,
    EmergencyPlan,
    LedgerDefinition,
    SpecialEquipment,
    WorkerCertificate,
    WorkPermit,
)
from ledgers.workflow import OPEN


@dataclass(frozen=True)
class DeadlineKind:
    key: str
    label: Any
    model: type[models.Model]
    due_field: str
    open_q: Callable[[], Q]
    title: Callable[[Any], str]
    url: Callable[[Any], str]
    kind_label: str = "到期"
    remind_before: int = 30
    # Rows whose own reminder window differs (user-defined ledgers: each definition sets its days ahead).
    window_q: Callable[[dt.date], Q] | None = None

    def open_items(self, qs: models.QuerySet | None = None) -> models.QuerySet:
        base = qs if qs is not None else self.model._default_manager.all()
        return base.filter(self.open_q()).exclude(**{f"{self.due_field}__isnull": True})

    @property
    def is_datetime(self) -> bool:
        return isinstance(self.model._meta.get_field(self.due_field), models.DateTimeField)

    def bound(self, day: dt.date) -> Any:
        """The due-field value at the end of ``day`` (dates compare as dates, datetimes at local midnight)."""
        if self.is_datetime:
            return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))
        return day


def _ledger_url(key: str) -> Callable[[Any], str]:
    return lambda row: reverse("ledgers:detail", args=[key, row.pk])


KINDS: list[DeadlineKind] = [
    DeadlineKind("licence", _("许可证有效期"), Licence, "valid_until", lambda: Q(),
                 lambda r: f"{r.display_kind}（{r.number}）",
                 # The enterprise page lists its licences to every reader; only record keepers may edit one.
                 lambda r: reverse("enterprises:detail", args=[r.enterprise_id])),
    DeadlineKind("equipment_inspection", _("特种设备定期检验"), SpecialEquipment, "next_inspection",
                 lambda: Q(status=EquipmentStatus.IN_USE), lambda r: f"{r.get_kind_display()}：{r.name}",
                 _ledger_url("equipment")),
    DeadlineKind("worker_certificate", _("特种作业操作证"), WorkerCertificate, "expires_on",
                 lambda: Q(superseded=False) & ~Q(certificate_number=""),
                 lambda r: f"{r.person_name}（{r.get_operation_type_display()}）", _ledger_url("certificates")),
    DeadlineKind("open_permit", _("危险作业票证超时未关闭"), WorkPermit, "ends_at", lambda: Q(status__in=OPEN),
                 lambda r: f"{r.get_kind_display()}：{r.location}", _ledger_url("permits"),
                 kind_label="失效", remind_before=0),
    DeadlineKind("plan_review", _("应急预案评估"), EmergencyPlan, "next_review", lambda: Q(),
                 lambda r: r.title, _ledger_url("plans")),
    DeadlineKind("custom_due", _("自定义台账到期事项"), CustomRow, "due_date", lambda: Q(definition__active=True),
                 lambda r: str(r), lambda r: reverse("ledgers:custom_row_edit", args=[r.definition_id, r.pk]),
                 remind_before=365, window_q=lambda today: _custom_window(today)),
]
def _custom_window(today: dt.date) -> Q:
    """Each user-defined ledger reminds its own number of days ahead (few definitions: one OR per definition)."""
    q = Q(pk__in=[])
    by_days: dict[int, list[int]] = {}
    for pk, days in LedgerDefinition.objects.filter(active=True).values_list("pk", "remind_days"):
        by_days.setdefault(days, []).append(pk)
    for days, ids in by_days.items():
        q |= Q(definition_id__in=ids, due_date__lte=today + dt.timedelta(days=days))
    return q


KIND_BY_KEY = {k.key: k for k in KINDS}


@dataclass
class DueItem:
    kind: DeadlineKind
    row: Any
    due: dt.date
    days_left: int
    overdue: bool

    @property
    def title(self) -> str:
        return self.kind.title(self.row)

    @property
    def url(self) -> str:
        return self.kind.url(self.row)

    @property
    def enterprise(self) -> Any:
        return getattr(self.row, "enterprise", None)

    @property
    def status_label(self) -> str:
        if self.overdue:
            if self.kind.kind_label == "到期":
                return f"已过期{-self.days_left}天" if self.days_left else "今天到期"
            return f"已超时{-self.days_left}天" if self.days_left else "已超时"
        return f"{self.days_left}天后{self.kind.kind_label}" if self.days_left else f"今天{self.kind.kind_label}"


def _as_date(value: Any) -> dt.date:
    return timezone.localtime(value).date() if isinstance(value, dt.datetime) else value


def due_items(user: Any, *, today: dt.date | None = None, within: int | None = None, enterprise: Any = None,
              kinds: list[str] | None = None, status: str = "", jurisdiction_path: str = "",
              limit: int = 500) -> list[DueItem]:
    """Items due within ``within`` days (default: each kind's own reminder window) or overdue, in scope."""
    today = today or timezone.localdate()
    out: list[DueItem] = []
    for kind in KINDS:
        if kinds and kind.key not in kinds:
            continue
        qs = kind.open_items(kind.model.objects.visible_to(user))
        if enterprise is not None:
            qs = qs.filter(enterprise=enterprise)
        if jurisdiction_path:
            qs = qs.filter(jurisdiction_path__startswith=jurisdiction_path)
        horizon = kind.remind_before if within is None else max(within, kind.remind_before)
        f = kind.due_field
        lapsed = timezone.now() if kind.is_datetime else today
        if status == "overdue":
            qs = qs.filter(**{f"{f}__lt": lapsed})
        else:
            if kind.window_q is not None and within is None:
                qs = qs.filter(kind.window_q(today))
            else:
                qs = qs.filter(**{f"{f}__lt": kind.bound(today + dt.timedelta(days=horizon))})
            if status == "soon":
                qs = qs.filter(**{f"{f}__gte": lapsed})
        related = ["enterprise"] if kind.model is not CustomRow else ["enterprise", "definition", "jurisdiction"]
        for row in qs.select_related(*related).order_by(kind.due_field, "pk")[:limit]:
            value = getattr(row, kind.due_field)
            due = _as_date(value)
            out.append(DueItem(kind, row, due, (due - today).days, value < lapsed))
    out.sort(key=lambda i: (i.due, str(i.kind.label)))
    return out


def due_counts(user: Any, *, today: dt.date | None = None, enterprise: Any = None) -> list[dict[str, Any]]:
    """Per kind: overdue and due-soon counts in the user's scope, aggregated in the database."""
    today = today or timezone.localdate()
    now = timezone.now()
    rows = []
    for kind in KINDS:
        qs = kind.open_items(kind.model.objects.visible_to(user))
        if enterprise is not None:
            qs = qs.filter(enterprise=enterprise)
        f = kind.due_field
        if kind.is_datetime:
            over = Q(**{f"{f}__lt": now})
            soon = Q(**{f"{f}__gte": now, f"{f}__lt": kind.bound(today + dt.timedelta(days=kind.remind_before))})
        else:
            over = Q(**{f"{f}__lt": today})
            window = kind.window_q(today) if kind.window_q is not None else Q(
                **{f"{f}__lte": today + dt.timedelta(days=kind.remind_before)})
            soon = Q(**{f"{f}__gte": today}) & window
        agg = qs.aggregate(overdue=Count("pk", filter=over), soon=Count("pk", filter=soon))
        rows.append({"kind": kind, "overdue": agg["overdue"], "soon": agg["soon"]})
    return rows
