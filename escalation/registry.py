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

    @property
    def due_is_datetime(self) -> bool:
        return isinstance(self.model._meta.get_field(self.due_field), models.DateTimeField)

    @property
    def due_lookup(self) -> str:
        """The ORM path comparing the deadline as a date (``deadline`` or ``expires_at__date``)."""
        return f"{self.due_field}__date" if self.due_is_datetime else self.due_field

    @property
    def object_type(self) -> str:
        return f"{self.model._meta.app_label}.{self.model._meta.model_name}"


SOURCES: dict[str, DeadlineSource] = {}


def register_source(source: DeadlineSource) -> None:
    """Register (or replace, on reload) a deadline source under its key."""
    if not source.key or "." not in source.key:
        raise ValueError(f"deadline source key must look like 'app.noun': {source.key!r}")
    if not hasattr(source.model.objects, "visible_to"):
        raise TypeError(f"{source.model.__name__}.objects must provide visible_to(user)")
    source.model._meta.get_field(source.due_field)  # fails early on a typo
    SOURCES[source.key] = source


def get_source(key: str) -> DeadlineSource:
    try:
        return SOURCES[key]
    except KeyError:
        raise LookupError(f"unknown deadline source {key!r}") from None
