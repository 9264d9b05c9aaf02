from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OFFICE = "office", _("安委办")
    REGULATOR = "regulator", _("行业监管部门")
    TOWNSHIP = "township", _("乡镇（街道、园区）")
    ENTERPRISE = "enterprise", _("企业")
    INSPECTOR = "inspector", _("执法检查人员")
    EXPERT = "expert", _("专家")
    SYSADMIN = "sysadmin", _("系统管理员")
    SECADMIN = "secadmin", _("安全管理员")
    AUDITADMIN = "auditadmin", _("审计管理员")


SYSTEM_ROLES = frozenset({Role.SYSADMIN, Role.SECADMIN, Role.AUDITADMIN})
BUSINESS_ROLES = frozenset(set(Role) - SYSTEM_ROLES)
# Those who govern (menus of the committee's and departments' work: structure, boards, campaigns).
GOVERNMENT_ROLES = (Role.OFFICE, Role.REGULATOR, Role.TOWNSHIP, Role.INSPECTOR)
# Who has a cockpit (领导驾驶舱, core.dashboard panels): the office over its territory, a department over its domains,
# a township over its own ground.
COCKPIT_ROLES = (Role.OFFICE, Role.REGULATOR, Role.TOWNSHIP)
# Who may be given explicit, time-bounded grants of objects outside their scope (accounts.ScopeGrant): those the
# enforcement module assigns to a target — drawn inspectors and experts.
GRANTEE_ROLES = frozenset({Role.INSPECTOR, Role.EXPERT})


class CredentialState(models.TextChoices):
    """Why a user's password, sessions and API tokens cannot be used right now (User.credential_state)."""

    DISABLED = "disabled", _("账号已停用")
    LOCKED = "locked", _("账号已锁定")
    EXPIRED = "expired", _("密码已过期")
    MUST_CHANGE = "must_change", _("须修改初始密码")

    @property
    def ends_session(self) -> bool:
        """Disabled and locked accounts are signed out; the others may only change the password."""
        return self in (CredentialState.DISABLED, CredentialState.LOCKED)

    @property
    def refusal(self) -> str:
        """What a refused page, API request or token is told."""
        return str(_CREDENTIAL_REFUSALS[self])


_CREDENTIAL_REFUSALS = {
    CredentialState.DISABLED: _("账号已停用，请联系系统管理员。"),
    CredentialState.LOCKED: _("账号已锁定，请稍后再试或联系安全管理员解锁。"),
    CredentialState.EXPIRED: _("密码已过期，请先在网页上修改密码。"),
    CredentialState.MUST_CHANGE: _("请先在网页上修改初始密码。"),
}
