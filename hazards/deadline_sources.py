"""Hazard deadlines on the shared escalation engine (reminder → township + department → office)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from hazards.choices import OVERDUE_STATUSES, Grade, Source, Status


def _open_items() -> QuerySet:
    from hazards.models import Hazard

    return (Hazard.objects.filter(status__in=OVERDUE_STATUSES, deadline__isnull=False)
            .select_related("enterprise", "finder_unit", "domain"))


def _title(hazard: Any) -> str:
    return f"隐患整改：{hazard.where} {hazard.number}（{hazard.description[:30]}）"


def _url(hazard: Any) -> str:
    return f"/hazards/{hazard.pk}/"


def _where_sql() -> Any:
    from django.db.models import Case, CharField, F, When

    return Case(When(enterprise__isnull=False, then=F("enterprise__name")), default=F("place"),
                output_field=CharField())


def _title_sql() -> Any:
    """``_title`` as a database expression (the sweep files records with it in the database)."""
    from django.db.models import CharField, F, Value
    from django.db.models.functions import Concat, Left

    return Concat(Value("隐患整改："), _where_sql(), Value(" "), F("number"), Value("（"), Left("description", 30),
                  Value("）"), output_field=CharField())


def _review_title_sql() -> Any:
    from django.db.models import CharField, F, Value
    from django.db.models.functions import Concat

    return Concat(Value("隐患验收审查："), _where_sql(), Value(" "), F("number"), Value("（申请验收后10日内审查）"),
                  output_field=CharField())


def _url_sql() -> Any:
    from escalation.registry import url_of_pk

    return url_of_pk(lambda pk: f"/hazards/{pk}/")


def _responsible(hazard: Any) -> Any:
    from escalation.registry import Recipients

    if hazard.enterprise_id:
        return Recipients(users=tuple(hazard.enterprise.users.filter(is_active=True)))
    return Recipients(units=tuple(u for u in [hazard.finder_unit] if u is not None))


def _supervisors(hazard: Any) -> Any:
    from escalation.registry import Recipients
    from hazards.services import supervisors_of

    units = list(supervisors_of(hazard))
    if hazard.supervisor_unit_id and hazard.supervisor_unit not in units:
        units.insert(1, hazard.supervisor_unit)
    return Recipients(units=tuple(units))


def _reviews() -> QuerySet:
    from hazards.models import Hazard

    # Applications the enterprise verifies itself (自查自改 general hazards) are not a government review.
    return (Hazard.objects.filter(status=Status.APPLIED, review_deadline__isnull=False)
            .exclude(grade=Grade.GENERAL, source=Source.SELF_CHECK, enterprise__isnull=False)
            .select_related("enterprise", "finder_unit", "supervisor_unit", "domain"))


def _review_title(hazard: Any) -> str:
    return f"隐患验收审查：{hazard.where} {hazard.number}（申请验收后10日内审查）"


def _reviewers(hazard: Any) -> Any:
    from escalation.registry import Recipients
    from hazards.selectors import regulators_of

    if hazard.grade == Grade.MAJOR:
        units = [hazard.supervisor_unit]
    else:
        units = [hazard.finder_unit] if hazard.finder_unit_id else regulators_of(hazard)[:1]
    return Recipients(units=tuple(u for u in units if u is not None))


def _review_supervisors(hazard: Any) -> Any:
    from escalation.registry import Recipients
    from hazards.selectors import offices_of

    return Recipients(units=tuple(offices_of(hazard)[:1]))


# -- set-based recipients for the bulk sweep (the same units as the per-item callables above) --------------
class _Covering:
    """The active, non-collective territorial, department and office units, loaded once per batch, and who
    covers a (path, domain): ``hazards.selectors``' rules computed in memory (three queries per batch)."""

    def __init__(self) -> None:
        from orgs.choices import TERRITORIAL_UNIT_KINDS, UnitKind
        from orgs.models import Unit

        units = list(Unit.objects.filter(active=True, collective=False,
                                         kind__in=[*TERRITORIAL_UNIT_KINDS, UnitKind.DEPARTMENT, UnitKind.OFFICE])
                     .only("pk", "kind", "jurisdiction_path", "sort", "name"))
        dept_ids = [u.pk for u in units if u.kind == UnitKind.DEPARTMENT]
        domains: dict[int, set[int]] = {}
        for unit_id, domain_id in Unit.domains.through.objects.filter(unit_id__in=dept_ids).values_list(
                "unit_id", "domain_id"):
            domains.setdefault(domain_id, set()).add(unit_id)
        order = {u.pk: (-len(u.jurisdiction_path), u.sort, u.name) for u in units}
        self.by_kind = {
            "territorial": [u for u in units if u.kind in TERRITORIAL_UNIT_KINDS],
            "department": [u for u in units if u.kind == UnitKind.DEPARTMENT],
            "office": [u for u in units if u.kind == UnitKind.OFFICE]}
        self.domains, self.order = domains, order
        self.memo: dict[tuple[str, str, int | None], list[int]] = {}

    def first(self, which: str, path: str, domain_id: int | None = None) -> list[int]:
        key = (which, path, domain_id)
        if key not in self.memo:
            pool = self.by_kind[which]
            if which == "department":  # as ``Unit.objects.filter(domains=domain_id)``, None included
                if domain_id is None:
                    with_domain = set().union(*self.domains.values())
                    pool = [u for u in pool if u.pk not in with_domain]
                else:
                    pool = [u for u in pool if u.pk in self.domains.get(domain_id, ())]
            found = sorted((u for u in pool if path.startswith(u.jurisdiction_path)), key=lambda u: self.order[u.pk])
            self.memo[key] = [u.pk for u in found[:1]]
        return self.memo[key]


def _enterprise_users(enterprise_ids: set[int]) -> dict[int, set[int]]:
    from accounts.models import User

    out: dict[int, set[int]] = {}
    for ent_id, uid in User.objects.filter(enterprise_id__in=enterprise_ids, is_active=True).values_list(
            "enterprise_id", "pk"):
        out.setdefault(ent_id, set()).add(uid)
    return out


def _responsible_many(hazards: list[Any]) -> dict[int, Any]:
    from escalation.registry import RecipientIds

    users = _enterprise_users({h.enterprise_id for h in hazards if h.enterprise_id})
    return {h.pk: (RecipientIds(users=frozenset(users.get(h.enterprise_id, ()))) if h.enterprise_id
                   else RecipientIds(units=frozenset([h.finder_unit_id] if h.finder_unit_id else [])))
            for h in hazards}


def _supervisors_many(hazards: list[Any]) -> dict[int, Any]:
    from escalation.registry import RecipientIds

    cov = _Covering()
    out = {}
    for h in hazards:
        path = h.jurisdiction_path
        units = {*cov.first("territorial", path), *cov.first("department", path, h.domain_id),
                 *cov.first("office", path)}
        if h.supervisor_unit_id:
            units.add(h.supervisor_unit_id)
        out[h.pk] = RecipientIds(units=frozenset(units))
    return out


def _reviewers_many(hazards: list[Any]) -> dict[int, Any]:
    from escalation.registry import RecipientIds

    cov = _Covering()
    out = {}
    for h in hazards:
        if h.grade == Grade.MAJOR:
            units = [h.supervisor_unit_id]
        else:
            units = [h.finder_unit_id] if h.finder_unit_id else cov.first("department", h.jurisdiction_path,
                                                                           h.domain_id)
        out[h.pk] = RecipientIds(units=frozenset(u for u in units if u))
    return out


def _review_supervisors_many(hazards: list[Any]) -> dict[int, Any]:
    from escalation.registry import RecipientIds

    cov = _Covering()
    return {h.pk: RecipientIds(units=frozenset(cov.first("office", h.jurisdiction_path))) for h in hazards}


def register() -> None:
    from escalation.registry import CountKeys, DeadlineSource, register_source
    from hazards.models import Hazard, HazardDue

    # Counted from ``HazardDue``, which ``hazards.tally`` keeps in the transaction of every write that changes a
    # hazard's status, deadline, path or domain (it is exactly this source's open items: OVERDUE_STATUSES with a
    # deadline); the largest source, so its card is never stale.
    register_source(DeadlineSource(
        counts=CountKeys(domain="domain_id", rows=lambda: HazardDue.objects.all()),
        key="hazards.hazard", label="事故隐患", model=Hazard, open_items=_open_items, due_field="deadline",
        title=_title, url=_url, responsible=_responsible, supervisors=_supervisors, remind_before=(3, 1),
        ladder="default", kind_label="整改到期", responsible_many=_responsible_many,
        supervisors_many=_supervisors_many, title_sql=_title_sql, url_sql=_url_sql))
    # The review deadline is set and cleared by several moves of the workflow: the worker's standing counts.
    register_source(DeadlineSource(
        counts=CountKeys(domain="domain_id"),
        key="hazards.review", label="隐患验收审查", model=Hazard, open_items=_reviews, due_field="review_deadline",
        title=_review_title, url=_url, responsible=_reviewers, supervisors=_review_supervisors, remind_before=(2,),
        ladder="default", kind_label="审查到期", responsible_many=_reviewers_many,
        supervisors_many=_review_supervisors_many, title_sql=_review_title_sql, url_sql=_url_sql))
