"""Fixed personas, one per role, built through the services (house style 16).

Territory A is 东山街道, territory B is 山枣镇. The enterprises are placed so that every
scope rule has a witness: a fire-only enterprise in A (seen by the fire brigade, not by the
emergency bureau), enterprises of the emergency bureau's domains in A, B and the park.
"""

from __future__ import annotations

from dataclasses import dataclass

from accounts import services as account_services
from accounts.choices import Role
from accounts.models import User
from core.audit import Source, audit_context
from enterprises import services as enterprise_services
from enterprises.credit_code import make_credit_code
from enterprises.models import Enterprise
from orgs.loaders import load_org_structure
from orgs.models import Domain, Jurisdiction, Unit

PASSWORD = "Persona#2026"

# key: (name, jurisdiction, domain codes)
ENTERPRISES = {
    "ent_a1": ("东山测试钢铁有限公司", "东山街道", ["D12"]),
    "ent_a2": ("东山测试商场", "东山街道", ["D3"]),
    "ent_b1": ("山枣测试建材有限公司", "山枣镇", ["D12"]),
    "ent_b2": ("山枣测试化工有限公司", "山枣镇", ["D1"]),
    "ent_park": ("经开区测试精细化工有限公司", "湘乡经济开发区", ["D1", "D9"]),
}

# key: (unit name or None, enterprise key or None, roles)
USERS = {
    "office": ("市安委办", None, [Role.OFFICE]),
    "township_a": ("东山街道", None, [Role.TOWNSHIP]),
    "township_b": ("山枣镇", None, [Role.TOWNSHIP]),
    "regulator": ("市应急管理局", None, [Role.REGULATOR]),
    "regulator_fire": ("市消防救援大队", None, [Role.REGULATOR]),
    "enterprise_a": (None, "ent_a1", [Role.ENTERPRISE]),
    "enterprise_b": (None, "ent_b1", [Role.ENTERPRISE]),
    "inspector": ("市应急管理局", None, [Role.INSPECTOR]),
    "expert": (None, None, [Role.EXPERT]),
    "sysadmin": (None, None, [Role.SYSADMIN]),
    "secadmin": (None, None, [Role.SECADMIN]),
    "auditadmin": (None, None, [Role.AUDITADMIN]),
}

# Which enterprises each persona must see; everything else must be a 404.
VISIBLE = {
    "office": {"ent_a1", "ent_a2", "ent_b1", "ent_b2", "ent_park"},
    "township_a": {"ent_a1", "ent_a2"},
    "township_b": {"ent_b1", "ent_b2"},
    "regulator": {"ent_a1", "ent_b1", "ent_b2", "ent_park"},
    "regulator_fire": {"ent_a2"},
    "enterprise_a": {"ent_a1"},
    "enterprise_b": {"ent_b1"},
    "inspector": {"ent_a1", "ent_b1", "ent_b2", "ent_park"},
    "expert": set(),
    "sysadmin": set(),
    "secadmin": set(),
    "auditadmin": set(),
}


@dataclass
class World:
    users: dict[str, User]
    enterprises: dict[str, Enterprise]

    def user(self, key: str) -> User:
        # A fresh instance each time, so cached roles and scope never leak between tests.
        return User.objects.select_related("unit", "enterprise").get(pk=self.users[key].pk)


def build_world() -> World:
    """Idempotent: safe to call on a database that already holds the world."""
    with audit_context(source=Source.COMMAND):
        if not Jurisdiction.objects.filter(code="430381").exists():
            load_org_structure()
        enterprises: dict[str, Enterprise] = {}
        for i, (key, (name, place, codes)) in enumerate(ENTERPRISES.items(), start=1):
            code = make_credit_code(f"91430381PT{i:07d}")
            ent = Enterprise.objects.filter(credit_code=code).first()
            if ent is None:
                ent = enterprise_services.enterprise_create(
                    actor=None, name=name, credit_code=code, jurisdiction=Jurisdiction.objects.get(name=place),
                    domains=list(Domain.objects.filter(code__in=codes)), address=f"{place}测试路{i}号")
            enterprises[key] = ent
        users: dict[str, User] = {}
        for key, (unit_name, ent_key, roles) in USERS.items():
            user = User.objects.filter(username=key).first()
            if user is None:
                user = account_services.user_create(
                    actor=None, username=key, password=PASSWORD, full_name=f"测试{key}",
                    unit=Unit.objects.get(name=unit_name) if unit_name else None,
                    enterprise=enterprises[ent_key] if ent_key else None, must_change_password=False)
                for role in roles:
                    account_services.role_grant(actor=None, user=user, role=role)
            users[key] = user
    return World(users, enterprises)
