"""Reads of the credit record: what counts today, the class of one enterprise or of many (set-based), and the
distribution over what a user may see. The rule itself is ``credit.rules``; here it is applied to the database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from credit import rules
from credit.choices import BlacklistStatus, CreditClass
from credit.models import BlacklistEntry, CreditEvent


def live_events_q(today: dt.date, prefix: str = "") -> Q:
    """The events that count on ``today`` (rules.counts as a filter)."""
    return Q(**{f"{prefix}revoked_at__isnull": True, f"{prefix}repaired_at__isnull": True,
                f"{prefix}occurred_on__lte": today, f"{prefix}expires_on__gt": today})


def live_blacklist_q(today: dt.date) -> Q:
    return Q(status=BlacklistStatus.LISTED, listed_on__lte=today, expires_on__gt=today)


@dataclass
class Standing:
    klass: str
    score: int
    blacklisted: bool
    live: list[CreditEvent] = field(default_factory=list)

    @property
    def label(self) -> str:
        return str(CreditClass(self.klass).label)

    @property
    def risk_floor(self) -> str:
        return rules.RISK_CLASS_FLOOR.get(CreditClass(self.klass), "")


def standing(enterprise: Any, today: dt.date) -> Standing:
    """One enterprise's class from its events, computed by the rule (not the database sum), the reference the
    set-based figures agree with."""
    events = list(CreditEvent.objects.filter(enterprise=enterprise, occurred_on__lte=today, expires_on__gt=today))
    blacklisted = BlacklistEntry.objects.filter(live_blacklist_q(today), enterprise=enterprise).exists()
    klass, score = rules.compute_class(events, today, blacklisted=blacklisted)
    return Standing(klass=klass, score=score, blacklisted=blacklisted,
                    live=[e for e in events if rules.counts(e, today)])


def classes_for_ids(ids: Any, today: dt.date) -> dict[int, str]:
    """{enterprise id: credit class} for the enterprises ``ids`` (a list or a ``values("pk")`` queryset) that have a
    counting event or a place on the list; every other enterprise is class A. Two aggregate queries."""
    scores = dict(CreditEvent.objects.filter(live_events_q(today), enterprise_id__in=ids).order_by()
                  .values("enterprise_id").annotate(s=Sum("points")).values_list("enterprise_id", "s"))
    listed = set(BlacklistEntry.objects.filter(live_blacklist_q(today), enterprise_id__in=ids)
                 .values_list("enterprise_id", flat=True))
    out = {pk: rules.class_of_score(rules.BASE_SCORE + s, blacklisted=pk in listed) for pk, s in scores.items()}
    out.update({pk: CreditClass.D.value for pk in listed})
    return out


def annotate_credit(qs: QuerySet, today: dt.date) -> QuerySet:
    """Enterprises with ``credit_score`` and ``credit_listed`` (subqueries on their own rows)."""
    points = (CreditEvent.objects.filter(live_events_q(today), enterprise_id=OuterRef("pk")).order_by()
              .values("enterprise_id").annotate(s=Sum("points")).values("s"))
    return qs.annotate(
        credit_score=Value(rules.BASE_SCORE) + Coalesce(Subquery(points, output_field=IntegerField()), Value(0)),
        credit_listed=Exists(BlacklistEntry.objects.filter(live_blacklist_q(today), enterprise_id=OuterRef("pk"))))


def class_q(klass: str) -> Q:
    """The enterprises of a class, on a queryset from ``annotate_credit``."""
    low, high = rules.score_bounds(klass)
    q = Q()
    if low is not None:
        q &= Q(credit_score__gte=low)
    if high is not None:
        q &= Q(credit_score__lte=high)
    if klass == CreditClass.D:
        return q | Q(credit_listed=True)
    return q & Q(credit_listed=False)


def class_of_row(enterprise: Any) -> str:
    """The class of an enterprise annotated by ``annotate_credit``."""
    return rules.class_of_score(enterprise.credit_score, blacklisted=enterprise.credit_listed)


def distribution(qs: QuerySet, today: dt.date) -> dict[str, int]:
    """{class: number of enterprises} over ``qs`` (enterprises the reader may see), in one query."""
    annotated = annotate_credit(qs.order_by(), today)
    counts = annotated.aggregate(**{k.value: Count("pk", filter=class_q(k.value)) for k in CreditClass})
    return {k.value: counts[k.value] or 0 for k in CreditClass}


def distribution_for(user: Any) -> dict[str, int]:
    """{class: number of enterprises} of everything ``user`` may see, from the stored classes summed in
    ``EnterpriseTally`` (``credit.standing``, ``enterprises.tally``): equal to ``distribution`` over
    ``Enterprise.objects.visible_to(user)`` as of the last class sweep, without reading a row an enterprise.
    Enterprise accounts and explicit grants add their few enterprises counted directly (their stored class)."""
    from core.scoping import scope_for
    from enterprises.tally import counts_for

    counts = counts_for(scope_for(user), "credit_class")
    return {k.value: counts.get(k.value, 0) for k in CreditClass}


def stored_class_q(klass: str) -> Q:
    """The enterprises of a class by their stored class (``Enterprise.credit_class``)."""
    return Q(credit_class=klass)
