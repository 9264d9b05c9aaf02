"""Visibility: 属地管理 + 行业监管, expressed once.

A user's ``Scope`` lists what they were granted: whole territories (a township, the campaign
office's jurisdiction), territories restricted to some domains (a department regulates its
domains inside its jurisdiction), single enterprises (an enterprise account), the units they act
for (tasks and lists are assigned to units), and whose explicit grants count (a drawn inspector
sees the enterprise drawn for the length of the assignment). Each scoped model turns a Scope into
a ``Q`` in its ``scope_q`` classmethod, from the scope keys the row carries (``jurisdiction_path``,
domain, enterprise, unit) and ``granted_q`` for the objects that can be granted.
``ScopedQuerySet.visible_to(user)`` is the single entry point that every page, API endpoint,
export, count and chart starts from.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any, Self

from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.http import Http404


@dataclass(frozen=True)
class DomainGrant:
    path: str
    domain_ids: tuple[int, ...]


# The live explicit grants of a scope for one model, as a queryset of the grant table with an ``object_id``
# column (registered by the accounts app, which keeps the grants; core imports no app).
GrantSource = Callable[["Scope", type[models.Model]], models.QuerySet]
_grant_source: list[GrantSource] = []


def register_grant_source(source: GrantSource) -> None:
    _grant_source[:] = [source]


@dataclass(frozen=True)
class Scope:
    territories: tuple[str, ...] = ()
    domain_grants: tuple[DomainGrant, ...] = ()
    enterprise_ids: tuple[int, ...] = ()
    # The units the user acts for: their own unit, or an enterprise account's linked unit (Enterprise.unit).
    unit_ids: tuple[int, ...] = ()
    # Whose explicit grants count: grants to this user or to one of ``unit_ids``; None for roles never granted.
    grantee_id: int | None = None

    @property
    def is_empty(self) -> bool:
        return not (self.territories or self.domain_grants or self.enterprise_ids or self.unit_ids
                    or self.grantee_id is not None)

    def direct(self) -> Scope:
        """The scope without explicit grants: for decisions a grant must not widen (placing, record keeping)."""
        return replace(self, grantee_id=None)

    def covers_path(self, path: str) -> bool:
        return any(path.startswith(t) for t in self.territories)

    # -- Q builders used by models' scope_q -------------------------------------------------
    def territorial_q(self, path_field: str) -> Q:
        q = Q(pk__in=[])
        for path in self.territories:
            q |= Q(**{f"{path_field}__startswith": path})
        return q

    def domain_q(self, path_field: str, domain_field: str | None = None,
                 domain_exists: tuple[type[models.Model], str, str] | None = None) -> Q:
        """Rows inside a granted territory whose domain is granted.

        Either ``domain_field`` (the row has one domain) or ``domain_exists`` = (link model,
        link field to the row, link field to the domain) for rows with several domains."""
        q = Q(pk__in=[])
        for grant in self.domain_grants:
            if domain_field is not None:
                cond = Q(**{f"{domain_field}__in": grant.domain_ids})
            else:
                assert domain_exists is not None
                link, row_field, dom_field = domain_exists
                cond = Q(Exists(link.objects.filter(**{row_field: OuterRef("pk"), f"{dom_field}__in": grant.domain_ids})))
            q |= Q(**{f"{path_field}__startswith": grant.path}) & cond
        return q

    def enterprise_q(self, enterprise_field: str) -> Q:
        if not self.enterprise_ids:
            return Q(pk__in=[])
        return Q(**{f"{enterprise_field}__in": self.enterprise_ids})

    def unit_q(self, unit_field: str) -> Q:
        """Rows assigned to one of the units the user acts for."""
        if not self.unit_ids:
            return Q(pk__in=[])
        return Q(**{f"{unit_field}__in": self.unit_ids})

    def granted_q(self, model: type[models.Model], field: str = "pk") -> Q:
        """Rows whose ``field`` is an object of ``model`` explicitly granted to this scope's grantee now: an
        EXISTS on the grant table's (object_type, object_id) index. Expired or revoked grants match nothing."""
        if self.grantee_id is None or not _grant_source:
            return Q(pk__in=[])
        return Q(Exists(_grant_source[0](self, model).filter(object_id=OuterRef(field))))

    def granted_ids(self, model: type[models.Model]) -> list[int]:
        """The ids of the objects of ``model`` explicitly granted to this scope's grantee now (the set
        ``granted_q`` tests each row against), read once: for counts that must not probe the grants per row."""
        if self.grantee_id is None or not _grant_source:
            return []
        return list(_grant_source[0](self, model).values_list("object_id", flat=True))

    @classmethod
    def union(cls, scopes: Iterable[Scope]) -> Scope:
        t: list[str] = []
        d: list[DomainGrant] = []
        e: list[int] = []
        u: list[int] = []
        grantee: int | None = None
        for s in scopes:
            t += s.territories
            d += s.domain_grants
            e += s.enterprise_ids
            u += s.unit_ids
            grantee = grantee if grantee is not None else s.grantee_id
        return cls(tuple(dict.fromkeys(t)), tuple(dict.fromkeys(d)), tuple(dict.fromkeys(e)), tuple(dict.fromkeys(u)),
                   grantee)


EMPTY = Scope()


def scope_for(user: Any) -> Scope:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return EMPTY
    return user.get_scope()


class ScopedQuerySet(models.QuerySet):
    def visible_to(self, user: Any, *, grants: bool = True) -> Self:
        """What ``user`` may see; ``grants=False`` leaves out explicit grants (decisions a grant must not widen)."""
        scope = scope_for(user)
        if not grants:
            scope = scope.direct()
        if scope.is_empty:
            return self.none()
        return self.filter(self.model.scope_q(scope))


def get_visible_or_404(qs: models.QuerySet, user: Any, **lookup: Any) -> Any:
    """Fetch one scoped object; out of scope looks exactly like not found."""
    try:
        return qs.visible_to(user).get(**lookup)
    except (qs.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
