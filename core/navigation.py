"""The main menu, assembled from what each app registers in its AppConfig.ready()."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class NavItem:
    label: Any
    url_name: str
    order: int = 100
    roles: frozenset[str] = field(default_factory=frozenset)  # empty: any business role
    testid: str = ""


NAV: list[NavItem] = []


def register_nav(label: Any, url_name: str, *, order: int = 100, roles: tuple[str, ...] = ()) -> None:
    if any(item.url_name == url_name for item in NAV):
        return
    NAV.append(NavItem(label, url_name, order, frozenset(roles), url_name.replace(":", "-")))


def nav_for(user: object, path: str = "") -> list[tuple[NavItem, str, bool]]:
    role_set: frozenset[str] = getattr(user, "role_set", frozenset())
    business = bool(getattr(user, "has_business_role", False))
    items = []
    for item in sorted(NAV, key=lambda i: (i.order, i.label)):
        if (item.roles and role_set & item.roles) or (not item.roles and business):
            try:
                url = reverse(item.url_name)
                items.append((item, url, url != "/" and path.startswith(url)))
            except NoReverseMatch:
                continue
    return items
