"""The one base of every row that belongs to an enterprise (house style 10).

A licence, a ledger row, a risk point, a 班前会 record … belongs to one enterprise and carries a copy of
the enterprise's jurisdiction path, so the scope rule reads the row's own indexed column instead of joining
the enterprise. ``EnterpriseScoped`` holds that copied key, the one scope rule (``enterprise_row_scope_q``),
the scoped manager and the copy (``copy_scope_keys``); ``EnterpriseRow`` adds the foreign key to the
enterprise. A row that reaches its enterprise through another row (an assessment through its risk point)
subclasses ``EnterpriseScoped`` directly and names the way: ``enterprise_lookup`` and ``keys_from``.

Every concrete subclass is registered as a path model (re-keyed when a jurisdiction moves) by
``register_enterprise_rows`` at start-up, and follows its enterprise when the enterprise moves to another
jurisdiction (``rekey_enterprise_rows``).

It lives here, not in core, because the rule needs the enterprise's domain links and the foreign key needs
the enterprise: core holds no domain model and imports none."""

from __future__ import annotations

from typing import Any, ClassVar, Self

from django.apps import apps
from django.db import models
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from core.registry import PATH_MODELS, keys_moved, register_path_model
from core.scoping import Scope, ScopedQuerySet
from enterprises.models.enterprise import Enterprise, EnterpriseDomain

# The scope keys a row copies from its parent, in the order they are looked for on the row.
SCOPE_KEYS = ("jurisdiction_id", "jurisdiction_path")


def enterprise_row_scope_q(scope: Scope, path_field: str = "jurisdiction_path",
                           enterprise_field: str = "enterprise_id") -> models.Q:
    """The scope rule of any row that belongs to one enterprise and carries its copied jurisdiction path:
    the territory by the row's own path, the domains through the enterprise's domain links, the enterprise
    account its own rows, and the rows of an enterprise explicitly granted."""
    q = scope.territorial_q(path_field)
    for grant in scope.domain_grants:
        # A correlated EXISTS on (enterprise, domain), not "IN (every enterprise of the domains)": next to another
        # arm of the OR (a territory, a grant) the planner cannot hash a set that large and would rescan it per row.
        q |= models.Q(**{f"{path_field}__startswith": grant.path}) & models.Q(Exists(EnterpriseDomain.objects.filter(
            enterprise_id=OuterRef(enterprise_field), domain_id__in=grant.domain_ids)))
    return q | scope.enterprise_q(enterprise_field) | scope.granted_q(Enterprise, enterprise_field)


def enterprise_links(domain_grants: Any) -> models.Q:
    """The domain arm of ``enterprise_row_scope_q`` alone, for these department grants: a condition on the path and
    the enterprise only (``escalation.registry.CountKeys.domain_links``)."""
    return enterprise_row_scope_q(Scope(domain_grants=tuple(domain_grants)))


def copied_keys(model: type[models.Model], parent: Any) -> dict[str, Any]:
    """The scope keys a row of ``model`` copies from ``parent``: the path, and the jurisdiction where the row
    has one. The one helper behind ``copy_scope_keys``, ``get_or_create`` defaults and re-keying."""
    names = {f.attname for f in model._meta.concrete_fields}
    return {key: getattr(parent, key) for key in SCOPE_KEYS if key in names}


class EnterpriseRowQuerySet(ScopedQuerySet):
    pass


class EnterpriseScoped(models.Model):
    """Abstract: a row scoped through one enterprise, carrying a copy of its jurisdiction path."""

    # Copied by the create service (``copy_scope_keys``) and re-keyed when the enterprise or a jurisdiction moves.
    jurisdiction_path = models.CharField(max_length=255, db_index=True, editable=False)

    # The lookup from the row to its enterprise, and the attribute holding the row the keys are copied from.
    enterprise_lookup: ClassVar[str] = "enterprise"
    keys_from: ClassVar[str] = "enterprise"

    objects = EnterpriseRowQuerySet.as_manager()

    class Meta:
        abstract = True

    @classmethod
    def scope_q(cls, scope: Scope) -> models.Q:
        return enterprise_row_scope_q(scope, enterprise_field=f"{cls.enterprise_lookup}_id")

    def copy_scope_keys(self) -> Self:
        """Set the row's scope keys from its parent (the enterprise, or the row it hangs from); the one way
        every create and update service keys a row."""
        for key, value in copied_keys(type(self), getattr(self, self.keys_from)).items():
            setattr(self, key, value)
        return self


class EnterpriseRow(EnterpriseScoped):
    """Abstract: a row of one enterprise (licence, ledger row, risk point …)."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="+", verbose_name=_("企业"))

    class Meta:
        abstract = True


def register_enterprise_rows() -> None:
    """Register every concrete enterprise-scoped model as a path model (called once all models are loaded)."""
    for model in apps.get_models():
        if issubclass(model, EnterpriseScoped):
            register_path_model(model)


def rekey_enterprise_rows(enterprise: Enterprise) -> None:
    """After an enterprise moves to another jurisdiction: every path model that names an ``enterprise_lookup``
    (the enterprise rows, and hazards) takes the enterprise's new keys, in one UPDATE a model."""
    for model, _field in PATH_MODELS:
        lookup: Any = getattr(model, "enterprise_lookup", None)
        if lookup is None:
            continue
        rows = model._default_manager.filter(**{lookup: enterprise})
        # A model that keeps counts of its rows by these keys (hazards: ``Hazard.rekey_rows``) moves them too.
        rekey = getattr(model, "rekey_rows", None)
        if rekey is not None:
            rekey(rows, copied_keys(model, enterprise))
        else:
            rows.update(**copied_keys(model, enterprise))
        keys_moved(model, rows)  # copies of these rows' keys (escalation records) follow
