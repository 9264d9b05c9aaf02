"""Due checks on the shared escalation engine: a check not done by its date is flagged and climbs the office's
ladder (提醒 → 通报 → 约谈 → 挂牌督办) like any deadline; a late run closes it. Reminders before the date are not
sent (a shift or daily check would remind every day); the to-do list on the home page is the reminder."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from core.formats import cn_date


def _open_items() -> QuerySet:
    from checks.models import DueCheck

    return DueCheck.objects.filter(run__isnull=True, plan__active=True).select_related(
        "plan", "enterprise", "premises", "plan__unit")


def _title(due: Any) -> str:
    shift = f" 第{due.shift}班" if due.shift else ""
    return f"隐患排查未按时完成：{due.target_name} {due.plan.title}（{cn_date(due.period_start)}{shift}）"


def _url(due: Any) -> str:
    return f"/checks/due/{due.pk}/"


def _responsible(due: Any) -> Any:
    from escalation.registry import Recipients

    if due.enterprise_id and due.plan.unit_id is None:
        return Recipients(users=tuple(due.enterprise.users.filter(is_active=True)))
    return Recipients(units=tuple(u for u in [due.plan.unit] if u is not None))


def _supervisors(due: Any) -> Any:
    from escalation.registry import Recipients
    from orgs.choices import UnitKind
    from orgs.models import Unit

    # The township (street, park) the checked place lies in.
    parts = [p for p in due.jurisdiction_path.split("/") if p]
    units = Unit.objects.filter(kind__in=(UnitKind.TOWNSHIP, UnitKind.PARK), jurisdiction_id__in=parts[:3],
                                active=True).order_by("pk")[:1]
    return Recipients(units=tuple(units))


def _responsible_many(dues: list[Any]) -> dict[int, Any]:
    """The enterprise's accounts (its own checks) or the plan's unit, for many due checks: one query."""
    from accounts.models import User
    from escalation.registry import RecipientIds

    own = {d.enterprise_id for d in dues if d.enterprise_id and d.plan.unit_id is None}
    users: dict[int, set[int]] = {}
    for ent_id, uid in User.objects.filter(enterprise_id__in=own, is_active=True).values_list("enterprise_id", "pk"):
        users.setdefault(ent_id, set()).add(uid)
    return {d.pk: (RecipientIds(users=frozenset(users.get(d.enterprise_id, ())))
                   if d.enterprise_id and d.plan.unit_id is None
                   else RecipientIds(units=frozenset([d.plan.unit_id] if d.plan.unit_id else [])))
            for d in dues}


def _supervisors_many(dues: list[Any]) -> dict[int, Any]:
    """The township (street, park) of each checked place: one query for the batch."""
    from escalation.registry import RecipientIds
    from orgs.choices import UnitKind
    from orgs.models import Unit

    parts = {d.pk: [p for p in d.jurisdiction_path.split("/") if p][:3] for d in dues}
    wanted = {p for ps in parts.values() for p in ps}
    first: dict[str, int] = {}
    for unit_id, jur_id in (Unit.objects.filter(kind__in=(UnitKind.TOWNSHIP, UnitKind.PARK), active=True,
                                                jurisdiction_id__in=wanted)
                            .order_by("pk").values_list("pk", "jurisdiction_id")):
        first.setdefault(str(jur_id), unit_id)
    out = {}
    for pk, ps in parts.items():
        found = [first[p] for p in ps if p in first]
        out[pk] = RecipientIds(units=frozenset([min(found)] if found else []))
    return out


def register_deadline_source() -> None:
    from checks.models import DueCheck
    from escalation.registry import CountKeys, DeadlineSource, register_source

    # Due checks are generated in bulk and fulfilled by runs, and a plan's deactivation closes many at once: the
    # worker's standing counts. The domain arm is the enterprise's links (departments are counted directly).
    register_source(DeadlineSource(
        counts=CountKeys(),
        key="checks.due", label="隐患排查", model=DueCheck, open_items=_open_items, due_field="due_on", title=_title,
        url=_url, responsible=_responsible, supervisors=_supervisors, remind_before=(), ladder="default",
        kind_label="排查到期", responsible_many=_responsible_many, supervisors_many=_supervisors_many))
