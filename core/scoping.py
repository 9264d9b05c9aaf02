"""Visibility: 属地管理 + 行业监管, expressed once.

A user's ``Scope`` lists what they were granted: whole territories (a township, the campaign
office's jurisdiction), territories restricted to some domains (a department regulates its
domains inside its jurisdiction), single enterprises (an enterprise account), and the units they
act for (tasks and lists are assigned to units). Each scoped model turns a Scope into a ``Q`` in
its ``scope_q`` classmethod, from the scope keys the row carries (``jurisdiction_path``, domain,
enterprise, unit). ``ScopedQuerySet.visible_to(user)`` is the single entry point that every page,
API endpoint, export, count and chart starts from.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Self

from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.http import Http404


@dataclass(frozen=True)
class DomainGrant:
    path: str
    domain_ids: tuple[int, ...]


@dataclass(frozen=True)
class Scope:
    territories: tuple[str, ...] = ()
    domain_grants: tuple[DomainGrant, ...] = ()
    enterprise_ids: tuple[int, ...] = ()
    # The units the user acts for: their own unit, or an enterprise account's linked unit (Enterprise.unit).
    unit_ids: tuple[int, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.territories or self.domain_grants or self.enterprise_ids or self.unit_ids)

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

    @classmethod
    def union(cls, scopes: Iterable[Scope]) -> Scope:
        t: list[str] = []
        d: list[DomainGrant] = []
        e: list[int] = []
        u: list[int] = []
        for s in scopes:
            t += s.territories
            d += s.domain_grants
            e += s.enterprise_ids
            u += s.unit_ids
        return cls(tuple(dict.fromkeys(t)), tuple(dict.fromkeys(d)), tuple(dict.fromkeys(e)), tuple(dict.fromkeys(u)))


EMPTY = Scope()


def scope_for(user: Any) -> Scope:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return EMPTY
    return user.get_scope()


class ScopedQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> Self:
        scope = scope_for(user)
        if scope.is_empty:
            return self.none()
        return self.filter(self.model.scope_q(scope))


def get_visible_or_404(qs: models.QuerySet, user: Any, **lookup: Any) -> Any:
    """Fetch one scoped object; out of scope looks exactly like not found."""
    try:
        return qs.visible_to(user).get(**lookup)
    except (qs.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
