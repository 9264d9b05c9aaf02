"""State machines: one shape for every app (house style 6).

An app states its machine once, as a table in ``<app>/workflow.py``::

    TRANSITIONS = Workflow("hazards.hazard", {(Status.APPLIED, Status.ACCEPTED): Move("accept", …), …},
                           choices=Status, initial=(Status.REGISTERED,))

Each ``Move`` names its action and label, who may make it (``who(actor, obj)``), what it needs
(``needs(obj, data)`` raises ``ValidationError``), the request fields it reads (``accepts``: every other field
is dropped, so a grade, deadline or status sent along with a move is never applied) and whether it needs a
reason. The state changes only in ``transition()``, which each app wraps in one thin ``<noun>_transition()``
service: it locks the row, re-reads the state, checks the table, ``who`` and ``needs``, applies the move,
writes the app's domain event and the change-log entry in the same transaction, and notifies after the commit
(``notify``; an app whose notifications are part of the move itself sends them from ``on_applied``).

Creation services create an object in one of the workflow's ``initial`` states. An unsaved object is in no
state yet (``None``), so a table may start with ``(None, to)`` when the first move is what creates the row.
``tests/workflows.py`` walks every registered workflow at random and fails unless the walks reached every state.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit

M = TypeVar("M", bound=models.Model)


def nothing(obj: Any, data: Mapping[str, Any]) -> None:
    """What a move needs when ``who`` is all it asks."""


@dataclass(frozen=True)
class Move:
    action: str
    label: Any
    who: Callable[[Any, Any], bool]
    who_label: Any = ""
    needs: Callable[[Any, dict[str, Any]], None] = nothing
    note_required: bool = False
    style: str = "primary"
    # The request fields this move reads; ``transition`` drops every other one, so a field meant for another
    # move (a grade on 立查立改, a deadline on 验收 …) can never be applied by this one.
    accepts: tuple[str, ...] = ()
    refusal: Any = None  # what a refused ``who`` says; by default built from the label and ``who_label``
    note_hint: Any = None  # what a missing reason says; by default built from the label
    audit: str = ""  # the change-log action; by default the workflow's ``audit_action`` for this action

    do_not_call_in_templates = True  # templates read ``move.label``; they must not call the move

    def __call__(self, actor: Any, obj: Any) -> bool:
        """A move is its own permission check: ``TRANSITIONS[(frm, to)](actor, obj)``."""
        return bool(self.who(actor, obj))

    def refused(self) -> str:
        if self.refusal:
            return str(self.refusal)
        return _("“%(m)s”只能由%(w)s办理。") % {"m": self.label, "w": self.who_label}

    def note_missing(self) -> str:
        if self.note_hint:
            return str(self.note_hint)
        return _("“%(m)s”须填写理由。") % {"m": self.label}


WORKFLOWS: dict[str, Workflow] = {}


class Workflow(Mapping[tuple[Any, str], Move]):
    """One state machine: the table ``{(from, to): Move}`` and what pages, services and tests ask of it.

    A move is also found by its action, ``self[(from, action)]``: the constructor refuses a table in which a
    state and an action share a name, so the two addresses never collide. Iterating gives ``(from, to)``.
    """

    def __init__(self, name: str, table: Mapping[tuple[Any, str], Move], *, choices: type[models.TextChoices],
                 field: str = "status", initial: Sequence[str] = (), audit_action: str = "",
                 note_field: str = "note", not_allowed: Callable[[Any, Any, Any], str] | None = None) -> None:
        self.name = name
        self.choices = choices
        self.field = field
        self.initial = tuple(initial)
        # The change-log action of a move: by default ``<workflow name>_<action>`` ("ledgers.permit_close").
        self.audit_action = audit_action or f"{name}_{{action}}"
        self.note_field = note_field
        self._not_allowed = not_allowed
        self._table = dict(table)
        self._by_action: dict[tuple[Any, str], tuple[str, Move]] = {}
        for (frm, to), move in self._table.items():
            if self._by_action.setdefault((frm, move.action), (to, move))[0] != to:
                raise ImproperlyConfigured(f"{name}: two moves named {move.action!r} leave {frm!r}")
        self.states = frozenset({state for key in self._table for state in key} | set(self.initial))
        clash = self.states & {move.action for move in self._table.values()}
        if clash:
            raise ImproperlyConfigured(f"{name}: {sorted(clash)} name both a state and an action")
        unknown = {state for state in self.states if state is not None} - set(choices.values)
        if unknown:
            raise ImproperlyConfigured(f"{name}: states {sorted(unknown)} are not values of {choices.__name__}")
        WORKFLOWS[name] = self

    def __repr__(self) -> str:
        return f"<Workflow {self.name}>"

    # -- the table ----------------------------------------------------------------------------------
    def __getitem__(self, key: tuple[Any, str]) -> Move:
        if key in self._table:
            return self._table[key]
        return self._by_action[key][1]

    def __iter__(self) -> Iterator[tuple[Any, str]]:
        return iter(self._table)

    def __len__(self) -> int:
        return len(self._table)

    @property
    def actions(self) -> list[str]:
        return sorted({move.action for move in self._table.values()})

    def move(self, state: Any, to: Any) -> Move | None:
        """The move from ``state`` to ``to`` (by target only), if the table has one."""
        try:
            return self._table.get((state, to))
        except TypeError:  # an unhashable value from a request
            return None

    def find(self, state: Any, action: Any) -> tuple[str, Move] | None:
        """(target, move) of the move named ``action`` from ``state``, if the table has one."""
        try:
            return self._by_action.get((state, action))
        except TypeError:
            return None

    def moves_from(self, state: Any) -> list[tuple[str, Move]]:
        return [(to, move) for (frm, to), move in self._table.items() if frm == state]

    # -- an object ----------------------------------------------------------------------------------
    def state_of(self, obj: Any) -> Any:
        """The state of ``obj``; an unsaved object is in none yet (``None``)."""
        return getattr(obj, self.field) if obj.pk is not None else None

    def allowed(self, actor: Any, obj: Any) -> list[tuple[str, Move]]:
        """The moves ``actor`` may attempt now (what each needs is checked when they try)."""
        return [(to, move) for to, move in self.moves_from(self.state_of(obj)) if move.who(actor, obj)]

    # -- words --------------------------------------------------------------------------------------
    def label(self, state: Any) -> str:
        if state in self.choices.values:
            return str(self.choices(state).label)
        return "" if state is None else str(state)

    def audit_name(self, move: Move) -> str:
        return move.audit or self.audit_action.format(action=move.action)

    def not_allowed(self, state: Any, to: Any, action: Any) -> str:
        """What an attempt at a move the table does not have from ``state`` says."""
        if self._not_allowed is not None:
            return self._not_allowed(state, to, action)
        return _("当前状态为“%(s)s”，不能执行该操作。") % {"s": self.label(state)}


@dataclass
class Step:
    """One move being made: what the hooks of ``transition`` receive."""

    workflow: Workflow
    obj: Any
    actor: Any
    move: Move
    source: Any  # the state before the move (None: the move creates the row)
    target: str
    note: str
    data: dict[str, Any]  # the request fields the move accepts, and nothing else
    now: dt.datetime
    kept: dict[str, Any] = field(default_factory=dict)  # what ``apply`` returned, for the domain event

    @property
    def action(self) -> str:
        return self.move.action


Hook = Callable[[Step], Any]


def after_commit(fn: Callable[[], Any]) -> None:
    """Run ``fn`` once the transaction commits, as the system, in a transaction of its own.

    For notifications: a write that is rolled back notifies nobody."""

    def run() -> None:
        with audit.audit_context(source=audit.Source.SYSTEM):
            with transaction.atomic():
                fn()

    transaction.on_commit(run)


def _lock(obj: M) -> M:
    return type(obj)._default_manager.select_for_update().get(pk=obj.pk)


def transition(*, workflow: Workflow, obj: M, actor: Any, to: Any = None, action: Any = None, note: str = "",
               data: Mapping[str, Any] | None = None, now: dt.datetime | None = None,
               lock: Callable[[M], M] | None = None, check: Callable[[Any, M], None] | None = None,
               apply: Hook | None = None, event: Hook | None = None, on_applied: Hook | None = None,
               notify: Hook | None = None, audit_fields: Sequence[str] | None = None,
               audit_action: str | None = None, audit_extra: Mapping[str, Any] | None = None) -> M:
    """The one way an object changes state. The move is named by its target (``to``) or by its ``action``.

    In one transaction: lock the row and re-read it (``lock``, default ``select_for_update`` by pk; an unsaved
    object is created by its move instead), ``check(actor, obj)`` (scope: raise ``PermissionDenied``), find the
    move in the table from the current state, drop every field of ``data`` the move does not accept, check
    ``who``, the reason and ``needs``; then ``apply(step)`` sets the move's own fields (never the state; it may
    still refuse, and returns what the domain event keeps), the state is set and the row saved, ``event(step)``
    writes the app's domain event, the change log records the move (``audit_fields`` before → after, the
    state field by default) and ``on_applied(step)`` makes its consequences. ``notify(step)`` runs after the
    commit, as the system.
    """
    if (to is None) == (action is None):
        raise TypeError("transition() names the move by `to` or by `action`, not both")
    with transaction.atomic():
        if obj.pk is not None:
            obj = (lock or _lock)(obj)
        if check is not None:
            check(actor, obj)
        state = workflow.state_of(obj)
        if to is not None:
            move = workflow.move(state, to)
        else:
            to, move = workflow.find(state, action) or (None, None)
        if move is None:
            raise ValidationError(workflow.not_allowed(state, to, action))
        # A move reads only its own fields: the rest of the request (a grade on 立查立改, a deadline on 验收,
        # a status, an enterprise …) is ignored, never applied.
        data = {key: value for key, value in (data or {}).items() if key in move.accepts}
        if not move.who(actor, obj):
            raise PermissionDenied(move.refused())
        note = (note or "").strip()
        if move.note_required and not note:
            raise ValidationError({workflow.note_field: move.note_missing()})
        move.needs(obj, data)
        fields = list(audit_fields or [workflow.field])
        before = audit.snapshot(obj, fields) if obj.pk is not None else {}
        step = Step(workflow=workflow, obj=obj, actor=actor, move=move, source=state, target=to, note=note,
                    data=data, now=now or timezone.now())
        if apply is not None:
            step.kept = dict(apply(step) or {})
        setattr(obj, workflow.field, to)
        obj.save()
        if event is not None:
            event(step)
        changes = {**audit.diff(before, audit.snapshot(obj, fields)), **(audit_extra or {})}
        audit.record(action=audit_action or workflow.audit_name(move), obj=obj, actor=actor, changes=changes,
                     note=note)
        if on_applied is not None:
            on_applied(step)
        if notify is not None:
            after_commit(lambda: notify(step))
    return obj
