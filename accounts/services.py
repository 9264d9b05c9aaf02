"""Account services. Every write records its event in the same transaction (core.audit)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import BUSINESS_ROLES, SYSTEM_ROLES, Role
from accounts.models import ApiToken, PasswordHistory, RoleGrant, SecurityPolicy, User
from core import audit
from orgs.choices import UnitKind

USER_FIELDS = ["username", "full_name", "phone", "email", "unit", "enterprise", "is_active"]


def _require(actor: User | None, role: str) -> None:
    if actor is None or not actor.is_active or not actor.has_role(role):
        raise PermissionDenied(_("您没有执行此操作的权限。"))


def _remember_password(user: User) -> None:
    PasswordHistory.objects.create(user=user, password=user.password)


def _system_account_guarded() -> str:
    return _("三员分立：系统管理账号不能由其他管理员修改、停用、改授权或重置密码；"
             "如需重置，请在服务器上运行 manage.py reset_system_account。")


def _refuse_system_takeover(actor: User | None, user: User, *, self_allowed: bool = False) -> None:
    """三员分立: no administrator may take over or disable another's system account from the web, the API or
    the admin; ``user`` must be the row locked by the caller, so its roles are current."""
    if actor is None or not user.is_system_account:
        return
    if self_allowed and actor.pk == user.pk:
        return
    raise PermissionDenied(_system_account_guarded())


# -- accounts (系统管理员) --------------------------------------------------------------------

@transaction.atomic
def user_create(*, actor: User | None, username: str, password: str, full_name: str = "", phone: str = "",
                email: str = "", unit: Any = None, enterprise: Any = None,
                must_change_password: bool = True) -> User:
    """Create an account. Accounts made by an administrator must change the password at first login."""
    if actor is not None:
        _require(actor, Role.SYSADMIN)
    username = (username or "").strip()
    if not username:
        raise ValidationError({"username": _("请填写用户名。")})
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": _("用户名“%(u)s”已被使用。") % {"u": username}})
    user = User(username=username, full_name=full_name, phone=phone, email=email, unit=unit, enterprise=enterprise,
                must_change_password=must_change_password)
    validate_password(password, user)
    user.set_password(password)
    user.password_changed_at = timezone.now()
    user.save()
    _remember_password(user)
    audit.record(action="accounts.create", obj=user, changes=audit.diff({}, audit.snapshot(user, USER_FIELDS)))
    return user


@transaction.atomic
def user_update(*, actor: User, user: User, **fields: Any) -> User:
    _require(actor, Role.SYSADMIN)
    user = User.objects.select_for_update().get(pk=user.pk)
    unknown = set(fields) - set(USER_FIELDS)
    if unknown:
        raise ValueError(f"not editable here: {sorted(unknown)}")
    _refuse_system_takeover(actor, user, self_allowed=True)
    before = audit.snapshot(user, USER_FIELDS)
    for name, value in fields.items():
        setattr(user, name, value)
    if "username" in fields and User.objects.exclude(pk=user.pk).filter(username=user.username).exists():
        raise ValidationError({"username": _("用户名“%(u)s”已被使用。") % {"u": user.username}})
    if user.pk == actor.pk and fields.get("is_active") is False:
        raise ValidationError(_("不能停用自己的账号。"))
    _check_roles_fit(user, set(user.role_grants.values_list("role", flat=True)))
    if before["is_active"] and not user.is_active:
        user.session_generation += 1  # a disabled account is signed out everywhere at once
    user.save()
    changes = audit.diff(before, audit.snapshot(user, USER_FIELDS))
    if changes:
        audit.record(action="accounts.update", obj=user, changes=changes)
    return user


@transaction.atomic
def password_reset(*, actor: User, user: User, new_password: str) -> None:
    """An administrator sets a new initial password; the owner must change it at next login.

    Not for system accounts, not even one's own (that is the change-password page): whoever knows the
    initial password can act as the owner, so a system account is reset only on the server
    (system_account_reset)."""
    _require(actor, Role.SYSADMIN)
    user = User.objects.select_for_update().get(pk=user.pk)
    _refuse_system_takeover(actor, user)
    _set_initial_password(user, new_password)
    audit.record(action="accounts.password_reset", obj=user)


def _set_initial_password(user: User, new_password: str) -> None:
    validate_password(new_password, user)
    user.set_password(new_password)
    user.must_change_password = True
    user.password_changed_at = timezone.now()
    user.session_generation += 1  # whoever was signed in with the old password is signed out
    user.save(update_fields=["password", "must_change_password", "password_changed_at", "session_generation"])
    _remember_password(user)


def generate_password(policy: SecurityPolicy) -> str:
    """A random password that meets any policy: every character class, at least 16 characters."""
    classes = ["ABCDEFGHJKLMNPQRSTUVWXYZ", "abcdefghijkmnopqrstuvwxyz", "23456789", "#@%+=-_!"]
    rng = secrets.SystemRandom()
    chars = [rng.choice(c) for c in classes]
    chars += [rng.choice("".join(classes)) for _i in range(max(16, policy.min_length) - len(chars))]
    rng.shuffle(chars)
    return "".join(chars)


@transaction.atomic
def system_account_reset(*, user: User, operator: str = "") -> str:
    """Reset a system account on the server (manage.py reset_system_account): a new random initial
    password, returned once, to be changed at first login; the lock is lifted and every session ended.
    Runs only in a command's audit context, so no page or API can reach it."""
    if audit.current_context().source != audit.Source.COMMAND:
        raise PermissionDenied(_system_account_guarded())
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_system_account:
        raise ValidationError(_("%(u)s 不是系统管理账号，请由系统管理员在网页上重置其密码。") % {"u": user.username})
    before = {"failed_logins": user.failed_logins, "locked_until": user.locked_until}
    password = generate_password(SecurityPolicy.current())
    _set_initial_password(user, password)
    user.failed_logins, user.locked_until = 0, None
    user.save(update_fields=["failed_logins", "locked_until"])
    audit.record(action="accounts.password_reset", obj=user, changes=audit.diff(before, {"failed_logins": 0, "locked_until": None}),
                 note=_("在服务器上用管理命令重置（操作系统用户：%(who)s）") % {"who": operator or "?"})
    return password


# -- own password ------------------------------------------------------------------------

@transaction.atomic
def password_change(*, user: User, old_password: str, new_password: str) -> None:
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.check_password(old_password):
        raise ValidationError({"old_password": _("原密码不正确。")})
    if old_password == new_password:
        raise ValidationError({"new_password1": _("新密码不能与原密码相同。")})
    validate_password(new_password, user)
    user.set_password(new_password)
    user.must_change_password = False
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "must_change_password", "password_changed_at"])
    _remember_password(user)
    audit.record(action="accounts.password_change", obj=user, actor=user)


# -- roles (安全管理员) ------------------------------------------------------------------------

def _check_roles_fit(user: User, roles: set[str]) -> None:
    """三员分立 and role/unit consistency, checked whenever roles or the unit change."""
    system = roles & SYSTEM_ROLES
    if len(system) > 1:
        raise ValidationError(_("系统管理员、安全管理员、审计管理员三员分立，不能由同一账号兼任。"))
    if system and roles & BUSINESS_ROLES:
        raise ValidationError(_("系统管理角色不能与业务角色兼任。"))
    unit = user.unit
    if Role.ENTERPRISE in roles and not user.enterprise_id:
        raise ValidationError(_("企业角色须先指定所属企业。"))
    if roles & {Role.OFFICE, Role.REGULATOR, Role.TOWNSHIP, Role.INSPECTOR} and unit is None:
        raise ValidationError(_("该角色须先指定所属单位。"))
    if Role.OFFICE in roles and unit is not None and unit.kind not in (UnitKind.OFFICE, UnitKind.COMMITTEE):
        raise ValidationError(_("安委办角色只能授予安委会或安委办的人员。"))
    if Role.REGULATOR in roles and unit is not None and unit.kind != UnitKind.DEPARTMENT:
        raise ValidationError(_("行业监管部门角色只能授予部门人员。"))
    if Role.TOWNSHIP in roles and unit is not None and unit.kind not in (UnitKind.TOWNSHIP, UnitKind.PARK, UnitKind.VILLAGE):
        raise ValidationError(_("乡镇（街道、园区）角色只能授予乡镇、街道、园区或村（社区）的人员。"))


@transaction.atomic
def role_grant(*, actor: User | None, user: User, role: str) -> RoleGrant:
    if actor is not None:
        _require(actor, Role.SECADMIN)
        if actor.pk == user.pk:
            raise PermissionDenied(_("不能给自己授权。"))
    if role not in Role.values:
        raise ValidationError(_("未知角色：%(r)s") % {"r": role})
    user = User.objects.select_for_update().get(pk=user.pk)
    current = set(user.role_grants.values_list("role", flat=True))
    if role in current:
        return user.role_grants.get(role=role)
    _check_roles_fit(user, current | {role})
    _refuse_system_takeover(actor, user)  # a role-less account may still be made an administrator
    grant = RoleGrant.objects.create(user=user, role=role, granted_by=actor)
    audit.record(action="accounts.role_grant", obj=user, changes={"roles": [sorted(current), sorted(current | {role})]})
    return grant


@transaction.atomic
def role_revoke(*, actor: User, user: User, role: str) -> None:
    _require(actor, Role.SECADMIN)
    if actor.pk == user.pk:
        raise PermissionDenied(_("不能修改自己的授权。"))
    user = User.objects.select_for_update().get(pk=user.pk)
    _refuse_system_takeover(actor, user)
    current = set(user.role_grants.values_list("role", flat=True))
    if role not in current:
        return
    user.role_grants.filter(role=role).delete()
    audit.record(action="accounts.role_revoke", obj=user, changes={"roles": [sorted(current), sorted(current - {role})]})


@transaction.atomic
def account_unlock(*, actor: User, user: User) -> None:
    _require(actor, Role.SECADMIN)
    user = User.objects.select_for_update().get(pk=user.pk)
    before = {"failed_logins": user.failed_logins, "locked_until": user.locked_until}
    user.failed_logins = 0
    user.locked_until = None
    user.save(update_fields=["failed_logins", "locked_until"])
    audit.record(action="accounts.unlock", obj=user, changes=audit.diff(before, {"failed_logins": 0, "locked_until": None}))


@transaction.atomic
def policy_update(*, actor: User, **values: int) -> SecurityPolicy:
    _require(actor, Role.SECADMIN)
    policy, _created = SecurityPolicy.objects.select_for_update().get_or_create(pk=1)
    before = audit.snapshot(policy, SecurityPolicy.FIELDS)
    for name, value in values.items():
        if name not in SecurityPolicy.FIELDS:
            raise ValueError(name)
        setattr(policy, name, value)
    if policy.min_length < 8:
        raise ValidationError({"min_length": _("等保三级要求密码长度不少于 8 位。")})
    if not 1 <= policy.min_classes <= 4:
        raise ValidationError({"min_classes": _("字符类别数应在 1 到 4 之间。")})
    if policy.lockout_threshold < 1 or policy.lockout_minutes < 1:
        raise ValidationError(_("必须启用登录失败锁定。"))
    if not 1 <= policy.idle_timeout_minutes <= 240:
        raise ValidationError({"idle_timeout_minutes": _("会话超时应在 1 到 240 分钟之间。")})
    policy.save()
    cache.delete(SecurityPolicy.CACHE_KEY)
    changes = audit.diff(before, audit.snapshot(policy, SecurityPolicy.FIELDS))
    if changes:
        audit.record(action="accounts.update", obj=policy, changes=changes)
    return policy


# -- login / logout ----------------------------------------------------------------------

@dataclass
class LoginResult:
    user: User | None
    error: str = ""


def login_failed_message(policy: SecurityPolicy) -> str:
    """The one answer to every failed login: an unknown user, a wrong password, a disabled or a locked
    account all read the same, so the login form does not tell which usernames exist."""
    return _("用户名或密码错误，或账号已停用、已锁定。连续登录失败 %(n)d 次，账号将锁定 %(m)d 分钟。") % {
        "n": policy.lockout_threshold, "m": policy.lockout_minutes}


def login_attempt(*, username: str, password: str) -> LoginResult:
    """Check credentials, apply lock-out, record success or failure in the change log.

    Every attempt runs the password hasher exactly once (a dummy hash for an unknown username), so the
    time taken does not tell either; the change log keeps the real reason for the audit administrator."""
    policy = SecurityPolicy.current()
    now = timezone.now()
    failed = LoginResult(None, login_failed_message(policy))
    with transaction.atomic():
        user = User.objects.select_for_update().filter(username=(username or "").strip()).first()
        if user is None:
            User().set_password(password)
            audit.record(action="accounts.login_fail", object_type="accounts.user", object_repr=(username or "")[:60],
                         success=False, note=_("用户名不存在"))
            return failed
        password_ok = user.check_password(password)
        if user.is_locked(now):
            audit.record(action="accounts.login_fail", obj=user, actor=user, success=False, note=_("账号已锁定"))
            return failed
        if not password_ok or not user.is_active:
            user.failed_logins += 1
            fields = ["failed_logins"]
            note = _("密码错误") if user.is_active else _("账号已停用")
            if user.failed_logins >= policy.lockout_threshold:
                user.locked_until = now + dt.timedelta(minutes=policy.lockout_minutes)
                user.session_generation += 1  # whoever is signed in as this user is signed out
                fields += ["locked_until", "session_generation"]
            user.save(update_fields=fields)
            audit.record(action="accounts.login_fail", obj=user, actor=user, success=False,
                         changes={"failed_logins": [user.failed_logins - 1, user.failed_logins]}, note=note)
            if "locked_until" in fields:
                audit.record(action="accounts.lock", obj=user, actor=user,
                             note=_("连续 %(n)d 次登录失败，锁定 %(m)d 分钟") % {"n": user.failed_logins, "m": policy.lockout_minutes})
            return failed
        user.failed_logins = 0
        user.locked_until = None
        user.last_login = now
        user.save(update_fields=["failed_logins", "locked_until", "last_login"])
        audit.record(action="accounts.login", obj=user, actor=user)
    return LoginResult(user)


@transaction.atomic
def logout_record(*, user: User, reason: str = "") -> None:
    audit.record(action="accounts.logout", obj=user, actor=user, note=reason)


# -- API tokens --------------------------------------------------------------------------

def hash_token(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def token_create(*, actor: User, name: str, days: int | None = 365) -> tuple[ApiToken, str]:
    if not actor.has_business_role:
        raise PermissionDenied(_("系统管理账号不能创建业务接口令牌。"))
    if not (name or "").strip():
        raise ValidationError({"name": _("请填写令牌用途。")})
    key = "az_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=actor, name=name.strip(), prefix=key[3:11], key_hash=hash_token(key),
        expires_at=timezone.now() + dt.timedelta(days=days) if days else None,
    )
    audit.record(action="accounts.token_create", obj=token, changes={"name": [None, token.name]})
    return token, key


@transaction.atomic
def token_revoke(*, actor: User, token: ApiToken) -> None:
    if token.user_id != actor.pk:
        raise PermissionDenied(_("只能吊销自己的令牌。"))
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(action="accounts.token_revoke", obj=token)
