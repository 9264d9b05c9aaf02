"""Accounts: users, their roles, the security policy (等保 2.0 level 3) and API tokens."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from functools import cached_property
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.core.cache import cache
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from accounts.choices import BUSINESS_ROLES, GRANTEE_ROLES, SYSTEM_ROLES, CredentialState, Role
from core.scoping import DomainGrant, Scope


class UserManager(BaseUserManager["User"]):
    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(username=username)


class User(AbstractBaseUser):
    username = models.CharField(max_length=60, unique=True, verbose_name=_("用户名"))
    full_name = models.CharField(max_length=60, blank=True, verbose_name=_("姓名"))
    phone = models.CharField(max_length=30, blank=True, verbose_name=_("手机号"))
    email = models.EmailField(blank=True, verbose_name=_("电子邮箱"))
    unit = models.ForeignKey("orgs.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="users",
                             verbose_name=_("所属单位"))
    enterprise = models.ForeignKey("enterprises.Enterprise", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="users", verbose_name=_("所属企业"))
    is_active = models.BooleanField(default=True, verbose_name=_("启用"))
    must_change_password = models.BooleanField(default=True, verbose_name=_("下次登录须修改密码"))
    password_changed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("密码修改时间"))
    failed_logins = models.PositiveSmallIntegerField(default=0, verbose_name=_("连续登录失败次数"))
    locked_until = models.DateTimeField(null=True, blank=True, verbose_name=_("锁定至"))
    date_joined = models.DateTimeField(default=timezone.now, verbose_name=_("创建时间"))
    # Part of every session's auth hash: raising it ends all the user's sessions (locked, disabled, reset).
    session_generation = models.PositiveIntegerField(default=0, editable=False)
    # Kept by accounts.grants: until when the user may hold a live explicit grant (ScopeGrant). Only while they may
    # does their scope carry the grant condition, so nobody else's queries pay for grants.
    grants_until = models.DateTimeField(null=True, blank=True, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "username"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["username"]
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return f"{self.full_name}（{self.username}）" if self.full_name else self.username

    # -- roles --------------------------------------------------------------------------
    @cached_property
    def role_set(self) -> frozenset[str]:
        if not self.pk:
            return frozenset()
        return frozenset(self.role_grants.values_list("role", flat=True))

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_set & set(roles))

    @property
    def is_system_account(self) -> bool:
        return bool(self.role_set & SYSTEM_ROLES)

    @property
    def has_business_role(self) -> bool:
        return bool(self.role_set & BUSINESS_ROLES)

    def role_labels(self) -> list[str]:
        return [str(Role(r).label) for r in Role if r in self.role_set]

    # Django admin is for the system administrator only (三员分立).
    @property
    def is_staff(self) -> bool:
        return self.is_active and Role.SYSADMIN in self.role_set

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        return self.is_staff

    def has_perms(self, perms: Any, obj: Any = None) -> bool:
        return self.is_staff

    def has_module_perms(self, app_label: str) -> bool:
        return self.is_staff

    # -- scope (属地管理 + 行业监管) ----------------------------------------------------------
    def get_scope(self) -> Scope:
        cached = getattr(self, "_anzhi_scope", None)
        if cached is not None:
            return cached
        scope = self._compute_scope()
        self._anzhi_scope = scope
        return scope

    def _compute_scope(self) -> Scope:
        from orgs.choices import UnitKind

        roles = self.role_set
        territories: list[str] = []
        grants: list[DomainGrant] = []
        enterprises: list[int] = []
        unit = self.unit
        if unit is not None and unit.active:
            path = unit.jurisdiction_path
            if Role.OFFICE in roles or Role.TOWNSHIP in roles:
                territories.append(path)
            if roles & {Role.REGULATOR, Role.INSPECTOR}:
                if unit.kind == UnitKind.DEPARTMENT:
                    domain_ids = tuple(sorted(unit.domains.values_list("pk", flat=True)))
                    if domain_ids:
                        grants.append(DomainGrant(path, domain_ids))
                elif unit.kind in (UnitKind.TOWNSHIP, UnitKind.PARK, UnitKind.VILLAGE):
                    territories.append(path)
        if Role.ENTERPRISE in roles and self.enterprise_id:
            enterprises.append(self.enterprise_id)
        return Scope(tuple(dict.fromkeys(territories)), tuple(grants), tuple(enterprises), self._unit_ids(),
                     self.pk if roles & GRANTEE_ROLES and self._may_hold_grants() else None)

    def _may_hold_grants(self) -> bool:
        """Whether a live explicit grant to the user or their unit may exist now: the hints the grant services keep,
        read from rows already loaded (no query). The grants themselves are checked in the scope predicate."""
        now = timezone.now()
        unit = self.unit if self.unit_id else None
        return any(until is not None and until > now
                   for until in (self.grants_until, unit.grants_until if unit is not None and unit.active else None))

    def _unit_ids(self) -> tuple[int, ...]:
        """The units a business user acts for: their own unit, or for an enterprise account the unit its
        enterprise is linked to (``Enterprise.unit``: an enterprise named as a responsible unit in a plan)."""
        if not self.has_business_role:
            return ()
        if self.unit_id:
            return (self.unit_id,) if self.unit.active else ()
        if self.enterprise_id and self.enterprise.unit_id:
            return (self.enterprise.unit_id,) if self.enterprise.unit.active else ()
        return ()

    # -- password / lock state ----------------------------------------------------------
    def credential_state(self, policy: SecurityPolicy | None = None, now: dt.datetime | None = None) -> CredentialState | None:
        """The one answer to "may this user's sessions and API tokens be used right now?": None if
        they may, otherwise why not. The session middleware and the token authentication both ask."""
        now = now or timezone.now()
        if not self.is_active:
            return CredentialState.DISABLED
        if self.is_locked(now):
            return CredentialState.LOCKED
        if self.password_expired(policy or SecurityPolicy.current(), now):
            return CredentialState.EXPIRED
        if self.must_change_password:
            return CredentialState.MUST_CHANGE
        return None

    def get_session_auth_hash(self) -> str:
        return self._session_auth_hash()

    def get_session_auth_fallback_hash(self) -> Iterator[str]:
        for secret in settings.SECRET_KEY_FALLBACKS:
            yield self._session_auth_hash(secret)

    def _session_auth_hash(self, secret: str | None = None) -> str:
        # Django signs each session with a hash of the password, so a password change ends the other
        # sessions; the generation extends that to locking and disabling, for good (an unlock or
        # re-enable does not bring an old session back).
        return salted_hmac("anzhi.accounts.User.session", f"{self.password}:{self.session_generation}",
                           secret=secret, algorithm="sha256").hexdigest()

    def is_locked(self, now: dt.datetime | None = None) -> bool:
        return self.locked_until is not None and self.locked_until > (now or timezone.now())

    def password_expired(self, policy: SecurityPolicy, now: dt.datetime | None = None) -> bool:
        if not policy.max_age_days or self.password_changed_at is None:
            return False
        return self.password_changed_at + dt.timedelta(days=policy.max_age_days) < (now or timezone.now())


class RoleGrant(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(max_length=16, choices=Role.choices, verbose_name=_("角色"))
    granted_at = models.DateTimeField(default=timezone.now)
    granted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="accounts_role_unique")]
        indexes = [models.Index(fields=["role", "user"], name="accounts_role_by_role")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"


class SecurityPolicy(models.Model):
    """Account security parameters, set by the security administrator. One row (pk=1)."""

    min_length = models.PositiveSmallIntegerField(default=8, verbose_name=_("密码最小长度"))
    min_classes = models.PositiveSmallIntegerField(
        default=3, verbose_name=_("至少包含的字符类别数"),
        help_text=_("大写字母、小写字母、数字、特殊符号四类中至少几类"))
    max_age_days = models.PositiveSmallIntegerField(default=90, verbose_name=_("密码有效期（天）"),
                                                    help_text=_("0 表示不限"))
    history_count = models.PositiveSmallIntegerField(default=5, verbose_name=_("不得与最近几次密码相同"))
    lockout_threshold = models.PositiveSmallIntegerField(default=5, verbose_name=_("连续失败几次锁定"))
    lockout_minutes = models.PositiveSmallIntegerField(default=30, verbose_name=_("锁定时长（分钟）"))
    idle_timeout_minutes = models.PositiveSmallIntegerField(default=30, verbose_name=_("无操作自动退出（分钟）"))

    CACHE_KEY = "anzhi:security-policy"
    FIELDS = ["min_length", "min_classes", "max_age_days", "history_count", "lockout_threshold",
              "lockout_minutes", "idle_timeout_minutes"]

    class Meta:
        verbose_name = _("安全策略")
        verbose_name_plural = _("安全策略")

    def __str__(self) -> str:
        return str(_("账号安全策略"))

    @classmethod
    def current(cls) -> SecurityPolicy:
        policy = cache.get(cls.CACHE_KEY)
        if policy is None:
            policy, _created = cls.objects.get_or_create(pk=1)
            cache.set(cls.CACHE_KEY, policy, 60)
        return policy


class PasswordHistory(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.created_at:%Y-%m-%d}"


class ApiToken(models.Model):
    """A token for another system (互联互通). Only its SHA-256 is stored; the key is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("用户"))
    name = models.CharField(max_length=80, verbose_name=_("用途"))
    prefix = models.CharField(max_length=8, verbose_name=_("前缀"))
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("创建时间"))
    expires_at = models.DateTimeField(null=True, blank=True, verbose_name=_("到期时间"))
    last_used_at = models.DateTimeField(null=True, blank=True, verbose_name=_("最近使用"))
    revoked_at = models.DateTimeField(null=True, blank=True, verbose_name=_("吊销时间"))

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_valid(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class ScopeGrant(models.Model):
    """An explicit, time-bounded grant of one object outside the grantee's own scope: the enterprise drawn for an
    inspector, for the length of the inspection. To a user, or to a unit (its inspectors and experts). Read through
    ``Scope.granted_q`` (an enterprise granted makes its rows visible too); written only by ``accounts.grants``.
    Grants are never deleted: an expired or revoked one stays as the record of who could see what, when."""

    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="scope_grants",
                             verbose_name=_("被授权人"))
    unit = models.ForeignKey("orgs.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="scope_grants",
                             verbose_name=_("被授权单位"))
    # The granted object: its model label ("enterprises.enterprise") and primary key.
    object_type = models.CharField(max_length=60, verbose_name=_("对象类别"))
    object_id = models.BigIntegerField(verbose_name=_("对象编号"))
    object_repr = models.CharField(max_length=200, blank=True, verbose_name=_("对象"))
    reason = models.CharField(max_length=300, verbose_name=_("授权事由"))
    valid_from = models.DateTimeField(default=timezone.now, verbose_name=_("生效时间"))
    valid_until = models.DateTimeField(verbose_name=_("失效时间"))
    granted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("授权人"))
    granted_at = models.DateTimeField(default=timezone.now, verbose_name=_("授权时间"))
    revoked_at = models.DateTimeField(null=True, blank=True, verbose_name=_("撤销时间"))
    revoked_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("撤销人"))
    revoke_reason = models.CharField(max_length=300, blank=True, verbose_name=_("撤销理由"))

    class Meta:
        ordering = ["-granted_at", "-pk"]
        verbose_name = _("临时授权")
        verbose_name_plural = _("临时授权")
        constraints = [
            models.CheckConstraint(condition=models.Q(user__isnull=False, unit__isnull=True)
                                   | models.Q(user__isnull=True, unit__isnull=False), name="accounts_grant_one_grantee"),
            models.CheckConstraint(condition=models.Q(valid_until__gt=models.F("valid_from")),
                                   name="accounts_grant_bounded"),
        ]
        # The scope predicate probes (object_type, object_id) for each candidate row; the grantee and time
        # conditions are checked on the few grants of that object.
        indexes = [models.Index(fields=["object_type", "object_id"], name="accounts_grant_object"),
                   models.Index(fields=["user", "valid_until"], name="accounts_grant_user"),
                   models.Index(fields=["unit", "valid_until"], name="accounts_grant_unit")]

    def __str__(self) -> str:
        return f"{self.user or self.unit} → {self.object_repr or self.object_id}"

    def is_live(self, now: dt.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and self.valid_from <= now < self.valid_until
