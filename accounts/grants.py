"""Explicit, time-bounded grants of objects outside one's scope (``accounts.ScopeGrant``).

The enforcement module's draw gives each drawn inspector (or expert) the enterprise drawn, for the length of the
inspection: ``grant_create`` when the assignment is made, ``grant_revoke`` when it ends early. A grant counts only
while it is live (from ``valid_from`` to ``valid_until``, not revoked), compared with the time of each query, so
an expired grant stops at once. Reads go through ``Scope.granted_q`` (``grants_for_scope`` is its source); an
enterprise granted makes its rows (licences, ledgers, risk rows, hazards) visible too.

A grant widens what its holder sees, and the writes that ask only "is it visible" (registering a hazard found at
the target); decisions about placing and keeping an enterprise's records use the direct scope
(``visible_to(user, grants=False)``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import GRANTEE_ROLES, Role
from accounts.models import ScopeGrant, User
from core import audit
from core.scoping import Scope
from orgs.choices import UnitKind

# Who may grant: those who assign inspections (the office and the regulators), each only what they see directly.
GRANTORS = (Role.OFFICE, Role.REGULATOR)
FIELDS = ["user", "unit", "object_type", "object_id", "reason", "valid_from", "valid_until"]


def live(now: dt.datetime | None = None) -> models.QuerySet[ScopeGrant]:
    now = now or timezone.now()
    return ScopeGrant.objects.filter(revoked_at__isnull=True, valid_from__lte=now, valid_until__gt=now)


def grants_for_scope(scope: Scope, model: type[models.Model]) -> models.QuerySet[ScopeGrant]:
    """The live grants of ``model`` objects to the scope's grantee or to a unit it acts for (the source of
    ``Scope.granted_q``)."""
    who = Q(user_id=scope.grantee_id)
    if scope.unit_ids:
        who |= Q(unit_id__in=scope.unit_ids)
    return live().filter(who, object_type=model._meta.label_lower)


def _grantee_rows(grant: ScopeGrant) -> models.QuerySet:
    from orgs.models import Unit

    return User.objects.filter(pk=grant.user_id) if grant.user_id else Unit.objects.filter(pk=grant.unit_id)


def refresh_hint(grant: ScopeGrant) -> None:
    """Set the grantee's ``grants_until`` to the end of its last live or coming grant (None when it has none), so
    that only holders of a live grant carry the grant condition in their scope predicates."""
    # Lock the grantee first: a concurrent grant to the same holder then computes after this one commits.
    list(_grantee_rows(grant).select_for_update().values_list("pk", flat=True))
    now = timezone.now()
    holder = Q(user_id=grant.user_id) if grant.user_id else Q(unit_id=grant.unit_id)
    until = (ScopeGrant.objects.filter(holder, revoked_at__isnull=True, valid_until__gt=now)
             .aggregate(until=models.Max("valid_until"))["until"])
    _grantee_rows(grant).update(grants_until=until)


def _target_model(obj: models.Model) -> type[models.Model]:
    model = type(obj)
    if not getattr(model, "grantable", False):
        raise ValidationError(_("该类对象不能临时授权。"))
    return model


def _check_grantor(actor: Any, model: type[models.Model], object_id: int) -> None:
    """A grant is given by the system (the draw running as a command) or by an office or regulator account that
    sees the object by its own territory or domains (never through a grant of its own)."""
    if actor is None:
        return
    if not actor.has_role(*GRANTORS) or not model._default_manager.visible_to(actor, grants=False).filter(
            pk=object_id).exists():
        raise PermissionDenied(_("您不能授权他人查看该对象。"))


def _check_grantee(user: User | None, unit: Any) -> None:
    if (user is None) == (unit is None):
        raise ValidationError(_("临时授权须指定一名人员或一个单位。"))
    if user is not None and not (user.is_active and user.role_set & GRANTEE_ROLES and not user.is_system_account):
        raise ValidationError({"user": _("只能授权给在用的执法检查人员或专家账号。")})
    if unit is not None and (not unit.active or unit.collective or unit.kind == UnitKind.ENTERPRISE):
        raise ValidationError({"unit": _("只能授权给在用的政府部门或乡镇（街道、园区）单位。")})


@transaction.atomic
def grant_create(*, actor: Any, obj: models.Model, reason: str, valid_until: dt.datetime,
                 valid_from: dt.datetime | None = None, user: User | None = None, unit: Any = None) -> ScopeGrant:
    """Let ``user`` (or the inspectors and experts of ``unit``) see ``obj`` from ``valid_from`` (now) until
    ``valid_until``, for ``reason`` (the assignment)."""
    model = _target_model(obj)
    _check_grantor(actor, model, obj.pk)
    _check_grantee(user, unit)
    now = timezone.now()
    valid_from = valid_from or now
    errors: dict[str, str] = {}
    if not (reason or "").strip():
        errors["reason"] = _("请写明授权事由（如抽查任务）。")
    if valid_until <= max(valid_from, now):
        errors["valid_until"] = _("失效时间须晚于生效时间和现在。")
    if errors:
        raise ValidationError(errors)
    grant = ScopeGrant.objects.create(
        user=user, unit=unit, object_type=model._meta.label_lower, object_id=obj.pk, object_repr=str(obj)[:200],
        reason=reason.strip(), valid_from=valid_from, valid_until=valid_until,
        granted_by=actor if getattr(actor, "pk", None) else None, granted_at=now)
    refresh_hint(grant)
    audit.record(action="accounts.scope_grant", obj=grant, changes=audit.diff({}, audit.snapshot(grant, FIELDS)))
    return grant


@transaction.atomic
def grant_revoke(*, actor: Any, grant: ScopeGrant, reason: str) -> ScopeGrant:
    """End a grant now (the assignment ended early or was cancelled); the grant stays as the record."""
    grant = ScopeGrant.objects.select_for_update().get(pk=grant.pk)
    if actor is not None and actor.pk != grant.granted_by_id:
        _check_grantor(actor, apps.get_model(grant.object_type), grant.object_id)
    if grant.revoked_at is not None:
        raise ValidationError(_("该授权已撤销。"))
    if not (reason or "").strip():
        raise ValidationError({"revoke_reason": _("请写明撤销理由。")})
    grant.revoked_at = timezone.now()
    grant.revoked_by = actor if getattr(actor, "pk", None) else None
    grant.revoke_reason = reason.strip()
    grant.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    refresh_hint(grant)
    audit.record(action="accounts.scope_grant_revoke", obj=grant, note=grant.revoke_reason,
                 changes={"revoked_at": [None, audit.to_jsonable(grant.revoked_at)]})
    return grant
