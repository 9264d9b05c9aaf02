"""Who may see an escalation record, read on the record's own copies of its item's scope keys.

A record (``EscalationRecord``) copies its item's territory path, domain and enterprise when it is filed. For a
source whose scope reads the item's path and domain column (``DeadlineSource.counts``: the same condition the
maintained counts rely on), the territorial and domain arms of the viewer's scope are read on those copies, so the
督办台 finds a township's or a department's records through the record table's own indexes, whatever the number of
records. A department's domains of an enterprise row (the enterprise's domain links) are read on the copies too
where the source says its domain arm reads only the path and the enterprise (``CountKeys.domain_links``). The item
is asked (one EXISTS) only for the viewer's other arms: their units, an enterprise account, explicit grants. A record whose item was deleted
keeps the copies it had then: it stays with the territory and domain that saw the item, as the records of a source
no longer registered do.

That is exact only while the copies follow their items. They do, in the transaction of the write that moves an
item:

* a save of an item (``post_save``; every service write of an item is one) re-copies its keys onto its records;
* a bulk move calls ``core.registry.keys_moved`` (an enterprise moving to another jurisdiction carries its rows and
  hazards along, a campaign moving its tasks, a plan changing its tasks' domain), which re-copies the keys of the
  records of the rows it moved;
* a jurisdiction moving under another parent shifts every path model's paths, records included (``PATH_MODELS``).

``items_q`` is the rule asked of every item (one EXISTS per source), the reference ``visible_to`` must equal:
``escalation/tests/test_record_scope.py`` checks it for every persona after any sequence of such writes.
The copies are derived data, like the deadline counts: the item's write is the audited change.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import models
from django.db.models import Exists, OuterRef, Q, Subquery
from django.db.models.signals import post_save

from core.memo import Memo
from core.registry import register_key_follower
from core.scoping import Scope

KEY_FIELDS = ("jurisdiction_path", "domain_id", "enterprise_id")


def _keyed(source: Any) -> bool:
    """Whether the source's territorial (and domain-column) arms can be read on the record's copies: its scope is
    ``scope_q`` alone and reads the columns the record copies."""
    keys = source.counts
    return keys is not None and keys.path == "jurisdiction_path" and keys.domain in (None, "domain_id")


def _rest(scope: Scope, source: Any) -> Scope:
    """The part of the scope asked of the item: all but the arms read on the record's copies."""
    rest = replace(scope, territories=())
    return replace(rest, domain_grants=()) if _domain_column(source) or _links(source) else rest


def _domain_column(source: Any) -> bool:
    return source.counts.domain_arm and source.counts.domain is not None


def _links(source: Any) -> bool:
    """The domain arm reads the path and the enterprise only (``CountKeys.domain_links``)."""
    return source.counts.domain_arm and source.counts.domain is None and source.counts.domain_links is not None


def _exists(items: models.QuerySet) -> Q | None:
    """``EXISTS`` of the item among ``items``; None when ``items`` can match nothing (an arm the viewer lacks)."""
    query = items.filter(pk=OuterRef("object_id"))
    try:
        query.query.get_compiler(using=query.db).as_sql()
    except EmptyResultSet:
        return None
    except Exception:  # noqa: BLE001  (an outer reference cannot compile alone: it is not empty)
        pass
    return Q(Exists(query))


def _on_record(scope: Scope, keys: list[str]) -> Q:
    """The territorial arm over every keyed source, the domain arm over those with a domain column and over those
    whose domain arm is the enterprise's links (one condition per kind of arm, on the record's own columns: the record
    table's path index answers it)."""
    from escalation.registry import SOURCES

    q = Q(pk__in=[])
    if keys and scope.territories:
        q |= Q(source_key__in=keys) & scope.territorial_q("jurisdiction_path")
    if not scope.domain_grants:
        return q
    column = [k for k in keys if _domain_column(SOURCES[k])]
    if column:
        q |= Q(source_key__in=column) & scope.domain_q("jurisdiction_path", domain_field="domain_id")
    by_rule: dict[Any, list[str]] = {}
    for k in keys:
        if _links(SOURCES[k]):
            by_rule.setdefault(SOURCES[k].counts.domain_links, []).append(k)
    for rule, linked in by_rule.items():
        q |= Q(source_key__in=linked) & rule(scope.domain_grants)
    return q


# The condition per viewer, built: ~20 scoped querysets cost 20–50 ms of Python per request at province size (bench/
# README.md). Keyed by what it depends on (the scope, the roles' business flag, the unit, the registered sources);
# kept a minute, as the summary's statement (``escalation.counts``); never for a holder of explicit grants, whose
# condition carries the time the grants are checked against.
_BUILT: Memo[Q] = Memo(maxsize=2_000, seconds=60.0)


def record_q(user: Any, scope: Scope) -> Q:
    """The condition on records of what ``user`` (with ``scope``) may see."""
    from escalation.registry import SOURCES

    if scope.grantee_id is not None:
        return _record_q(user, scope)
    key = (scope, getattr(user, "unit_id", None), getattr(user, "has_business_role", None), tuple(SOURCES))
    return _BUILT.get(key, lambda: _record_q(user, scope))


def _record_q(user: Any, scope: Scope) -> Q:
    from escalation.models import EscalationRecord
    from escalation.registry import SOURCES

    keyed = [k for k, s in SOURCES.items() if _keyed(s)]
    q = _on_record(scope, keyed)
    for key, source in SOURCES.items():
        if key in keyed:
            rest = _rest(scope, source)
            arm = None if rest.is_empty else _exists(source.model.objects.filter(source.model.scope_q(rest)))
        else:
            arm = _exists(source.model.objects.visible_to(user))
        if arm is not None:
            q |= Q(source_key=key) & arm
    # Records of a source no longer registered: the copied territory.
    return q | (~Q(source_key__in=list(SOURCES)) & EscalationRecord.scope_q(scope))


def items_q(user: Any, scope: Scope) -> Q:
    """The same rule asked of every item (one EXISTS per source: the tests' reference). A record whose item was
    deleted is seen, for a source read on the copies, by whom its copies place it with (the territory and domain
    the item had when it was deleted), as a record of a source no longer registered; otherwise by no one."""
    from escalation.models import EscalationRecord
    from escalation.registry import SOURCES

    q = Q(pk__in=[])
    for key, source in SOURCES.items():
        q |= Q(source_key=key) & Exists(source.model.objects.visible_to(user).filter(pk=OuterRef("object_id")))
        if _keyed(source):
            gone = ~Exists(source.model._default_manager.filter(pk=OuterRef("object_id")))
            q |= gone & _on_record(scope, [key])
    return q | (~Q(source_key__in=list(SOURCES)) & EscalationRecord.scope_q(scope))


def _sources_of(model: type[models.Model]) -> list[str]:
    from escalation.registry import SOURCES

    return [key for key, source in SOURCES.items() if source.model is model]


def _copied(model: type[models.Model]) -> dict[str, Any]:
    """The record's key columns as subqueries of its item: the sweep's own copy of the keys
    (``escalation.services.copied_keys_sql``), read for the record's ``object_id``."""
    from escalation.services import copied_keys_sql

    item = model._default_manager.filter(pk=OuterRef("object_id")).annotate(**copied_keys_sql(model))
    return {field: Subquery(item.values(name)[:1])
            for field, name in (("jurisdiction_path", "_jp"), ("domain_id", "_dom"), ("enterprise_id", "_ent"))}


def follow(model: type[models.Model], rows: models.QuerySet) -> int:
    """Re-copy the keys of the records of ``rows`` (items of ``model`` whose path, domain or enterprise may have
    changed) from the items: one UPDATE. Returns the records updated."""
    from escalation.models import EscalationRecord

    keys = _sources_of(model)
    if not keys:
        return 0
    return EscalationRecord.objects.filter(source_key__in=keys, object_id__in=rows.values("pk")).update(
        **_copied(model))


def _saved(sender: type[models.Model], instance: models.Model, update_fields: Any = None, raw: bool = False,
           **kwargs: Any) -> None:
    """An item saved: its records take its keys where they differ (an index probe; nothing written otherwise)."""
    if raw or (update_fields is not None and not set(update_fields) & {"jurisdiction_path", "domain", "domain_id",
                                                                        "enterprise", "enterprise_id"}):
        return
    keys = _sources_of(sender)
    if not keys or instance.pk is None:
        return
    from escalation.models import EscalationRecord
    from escalation.services import scope_keys

    values = scope_keys(instance)
    same = Q(**{f: v for f, v in values.items() if v is not None})
    for f, v in values.items():
        if v is None:
            same &= Q(**{f"{f}__isnull": True})
    EscalationRecord.objects.filter(source_key__in=keys, object_id=instance.pk).exclude(same).update(**values)


def watch(model: type[models.Model]) -> None:
    """Follow the saves of a source's items (``register_source`` calls it), per model."""
    post_save.connect(_saved, sender=model, dispatch_uid=f"escalation.keys.saved.{model._meta.label}")


def connect() -> None:
    """Wire the bulk follower (``EscalationConfig.ready``)."""
    register_key_follower(follow)


def stale() -> list[int]:
    """The records whose copies differ from their item's keys, read in Python (tests: it should stay empty)."""
    from escalation.models import EscalationRecord
    from escalation.registry import SOURCES
    from escalation.services import scope_keys

    out: list[int] = []
    for key, source in SOURCES.items():
        records = list(EscalationRecord.objects.filter(source_key=key).values_list("pk", "object_id", *KEY_FIELDS))
        items = {o.pk: scope_keys(o) for o in
                 source.model._default_manager.filter(pk__in={r[1] for r in records})}
        for pk, object_id, *copied in records:
            item = items.get(object_id)
            if item is not None and tuple(copied) != tuple(item[f] for f in KEY_FIELDS):
                out.append(pk)
    return out
