"""Deadline sources: every app with lapsing deadlines registers one, and the escalation engine
(``escalation.services.sweep``) reminds, flags and escalates them all the same way.

Each app keeps its sources in ``<app>/deadline_sources.py`` with a ``register()`` its AppConfig.ready() calls::

    from escalation.registry import DeadlineSource, Recipients, register_source
    register_source(DeadlineSource(key="hazards.hazard", label="隐患", model=Hazard, ...))
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import QuerySet

if TYPE_CHECKING:
    from accounts.models import User
    from orgs.models import Unit


@dataclass(frozen=True)
class Recipients:
    units: tuple[Unit, ...] = ()
    users: tuple[User, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.units or self.users)

    def __add__(self, other: Recipients) -> Recipients:
        return Recipients(units=tuple(dict.fromkeys((*self.units, *other.units))),
                          users=tuple(dict.fromkeys((*self.users, *other.users))))


def _no_supervisors(obj: Any) -> Recipients:
    return Recipients()


@dataclass(frozen=True)
class RecipientIds:
    """Recipients as ids, for the set-based sweep: units (their active business users) and users."""

    units: frozenset[int] = frozenset()
    users: frozenset[int] = frozenset()


# A batch resolver: for a list of loaded items, their recipients as ids, keyed by item pk (a handful of
# queries per batch, not per item). Items missing from the result have no recipient.
BatchRecipients = Callable[[list[Any]], dict[int, RecipientIds]]


def ids_of(rec: Recipients) -> RecipientIds:
    return RecipientIds(units=frozenset(u.pk for u in rec.units if u is not None and u.pk is not None),
                        users=frozenset(u.pk for u in rec.users if u is not None and u.pk is not None))


@dataclass(frozen=True)
class CountKeys:
    """How the home cards and the 督办台 count a source without scanning the viewer's scope
    (``escalation.counts``): the territorial and domain arms of the model's ``scope_q`` read as keys of a count
    row (territory path, domain, deadline day); the other arms (an enterprise account, the units a user acts for,
    explicit grants: a few rows) are counted from the items directly.

    ``path``: the field the territorial arm reads. ``domain``: the one field the domain arm reads; None when the
    domain arm is not one column (an enterprise row's domains are the enterprise's links): the worker then counts
    the domain arm per department domain set (``DueCount.grant``), which needs the arm to be "under the grant's
    path, and a condition of the domains alone" (``enterprise_row_scope_q``, ``domain_q``). ``domain_arm=False``: the model's scope has
    no domain arm at all. ``rows``: counts kept in the transaction of every write (fields ``jurisdiction_path``,
    ``domain_id``, ``deadline``, ``n``; days past may be folded into one earlier day); without it the standing
    ``DueCount`` table refreshed by the worker is read."""

    path: str = "jurisdiction_path"
    domain: str | None = None
    domain_arm: bool = True
    rows: Callable[[], QuerySet] | None = None
    # A domain arm that is not one column but reads only the path and the enterprise (an enterprise row's domain
    # links: ``enterprises.models.base.enterprise_row_scope_q``), as a condition on those two fields for the
    # department grants given: the escalation records' copies of both answer it (``escalation.keys``).
    domain_links: Callable[[Any], Any] | None = None


@dataclass(frozen=True)
class DeadlineSource:
    key: str                                   # "campaigns.task", "hazards.hazard", "ledgers.certificate"
    label: str                                 # Chinese, e.g. "整治任务"
    model: type[models.Model]                  # must have objects.visible_to(user)
    open_items: Callable[[], QuerySet]         # items not yet done/closed (unscoped; the engine scopes per viewer)
    due_field: str                             # DateField (or DateTimeField) on model holding the current deadline
    title: Callable[[Any], str]
    url: Callable[[Any], str]
    responsible: Callable[[Any], Recipients]   # who must act (lead unit / enterprise users ...)
    supervisors: Callable[[Any], Recipients] = _no_supervisors  # territorial + industry units, office
    remind_before: tuple[int, ...] = (5, 1)    # working days before the deadline
    ladder: str = "default"                    # EscalationLadder.code applied once overdue; "" = flag only
    kind_label: str = "到期"                   # wording, e.g. "到期" for tasks, "失效" for certificates
    # Set-based recipients for the bulk sweep (see BatchRecipients). When None, the sweep falls back to
    # calling ``responsible`` / ``supervisors`` per item (the per-item path; a few queries per item).
    responsible_many: BatchRecipients | None = None
    supervisors_many: BatchRecipients | None = None
    # The ids of the items a unit answers for (``values("pk")``-style), for the board's unit filter; when None
    # the board falls back to the unit's territory (a township) or its domains (a department).
    unit_items: Callable[[int], QuerySet] | None = None
    # ``title`` and ``url`` as database expressions over the model (the same text, character for character:
    # ``escalation/tests/test_sweep_sql.py`` compares them for every source that declares them). With both,
    # the sweep files the records of a ladder step in the database (``INSERT … SELECT``) instead of loading
    # the items; without, it loads them in batches and calls ``title``/``url`` per item.
    title_sql: Callable[[], Any] | None = None
    url_sql: Callable[[], Any] | None = None
    # How the cards count without a scan of the scope (see CountKeys); None: counted directly on each request.
    # Only for a model whose ``visible_to`` is ``ScopedQuerySet``'s (``filter(scope_q(scope))``).
    counts: CountKeys | None = None

    @property
    def due_is_datetime(self) -> bool:
        return isinstance(self.model._meta.get_field(self.due_field), models.DateTimeField)

    @property
    def due_lookup(self) -> str:
        """The ORM path comparing the deadline as a date (``deadline`` or ``expires_at__date``)."""
        return f"{self.due_field}__date" if self.due_is_datetime else self.due_field

    def dated_items(self) -> QuerySet:
        """``open_items()`` with the deadline as a local date in ``_due`` (what the sweep compares)."""
        from django.db.models import F
        from django.db.models.functions import TruncDate

        due = TruncDate(self.due_field) if self.due_is_datetime else F(self.due_field)
        return self.open_items().annotate(_due=due).filter(_due__isnull=False)

    def overdue_queryset(self, as_of: Any) -> QuerySet:
        """Open items whose deadline (as a local date) lies before ``as_of``: ids, deadline and the
        scope keys, set-based (``values``-ready; the sweep narrows it per ladder step)."""
        return self.dated_items().filter(_due__lt=as_of)

    def recipients_many(self, items: list[Any], *, supervisors: bool = False) -> dict[int, RecipientIds]:
        """Batch recipients of ``items``: the source's set-based resolver, or the per-item callables."""
        batch = self.supervisors_many if supervisors else self.responsible_many
        if batch is not None:
            return batch(items)
        one = self.supervisors if supervisors else self.responsible
        return {obj.pk: ids_of(one(obj)) for obj in items}

    @property
    def object_type(self) -> str:
        return f"{self.model._meta.app_label}.{self.model._meta.model_name}"


def url_of_pk(path: Callable[[int], str]) -> Any:
    """A page address ending in an object's pk as a database expression: ``path`` builds it for one pk
    (``lambda pk: reverse("app:detail", args=[pk])``); the text around the pk is taken from a sample."""
    from django.db.models import CharField, Value
    from django.db.models.functions import Cast, Concat

    sample = 987654321987
    before, marker, after = path(sample).partition(str(sample))
    if not marker:
        raise ValueError("the address does not contain the object's pk")
    return Concat(Value(before), Cast("pk", output_field=CharField()), Value(after), output_field=CharField())


SOURCES: dict[str, DeadlineSource] = {}


def register_source(source: DeadlineSource) -> None:
    """Register (or replace, on reload) a deadline source under its key."""
    if not source.key or "." not in source.key:
        raise ValueError(f"deadline source key must look like 'app.noun': {source.key!r}")
    if not hasattr(source.model.objects, "visible_to"):
        raise TypeError(f"{source.model.__name__}.objects must provide visible_to(user)")
    source.model._meta.get_field(source.due_field)  # fails early on a typo
    if source.counts is not None:
        from core.scoping import ScopedQuerySet

        if type(source.model.objects.all()).visible_to is not ScopedQuerySet.visible_to:
            raise TypeError(f"{source.key}: counts need a model scoped by scope_q alone")
        source.model._meta.get_field(source.counts.path)
    SOURCES[source.key] = source
    from escalation.keys import watch

    watch(source.model)  # its records' copies of the item's keys follow the item


def get_source(key: str) -> DeadlineSource:
    try:
        return SOURCES[key]
    except KeyError:
        raise LookupError(f"unknown deadline source {key!r}") from None
