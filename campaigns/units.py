"""Turn 责任单位 as documents write them into organisation units.

A spelling may name several units (aliases, "经开区、水府管委会"); a collective name such as
各乡镇（街道） is kept as its collective unit *and* expanded to every unit it stands for, so each
township finds the task on its own "我的任务" page. Names that stay collective (相关部门) are
reported by the callers; names that resolve to nothing are errors."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db.models import QuerySet

from campaigns.choices import UnitRole
from orgs.choices import JurisdictionLevel, UnitKind
from orgs.models import Unit
from orgs.selectors import resolve_units

_CLAUSE = re.compile(r"[，,；;\n。]")


def expansion(unit: Unit) -> QuerySet[Unit]:
    """The member units a collective unit stands for ("各乡镇（街道）" → every township);
    empty for a collective whose members cannot be told (相关部门)."""
    members = Unit.objects.filter(active=True, collective=False)
    if unit.kind == UnitKind.TOWNSHIP and unit.collective:
        if unit.name == "乡镇人民政府":
            return members.filter(kind=UnitKind.TOWNSHIP, jurisdiction__level=JurisdictionLevel.TOWNSHIP)
        if unit.name == "街道办事处":
            return members.filter(kind=UnitKind.TOWNSHIP, jurisdiction__level=JurisdictionLevel.SUBDISTRICT)
        return members.filter(kind=UnitKind.TOWNSHIP)
    if unit.kind == UnitKind.PARK and unit.collective:
        return members.filter(kind=UnitKind.PARK)
    return members.none()


@dataclass
class Assignment:
    unit: Unit
    role: str
    as_written: str
    via: Unit | None = None


@dataclass
class Resolution:
    assignments: list[Assignment] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    collective: list[str] = field(default_factory=list)  # kept as a collective, not expanded

    def add(self, unit: Unit, role: str, as_written: str, via: Unit | None = None) -> None:
        order = [UnitRole.LEAD, UnitRole.COOP, UnitRole.IMPLEMENTING]
        for a in self.assignments:
            if a.unit.pk == unit.pk:
                # One link per unit: the strongest role wins, an explicit mention beats an expansion.
                if order.index(role) < order.index(a.role) or (a.via is not None and via is None):
                    a.role, a.as_written, a.via = role, as_written, via
                return
        self.assignments.append(Assignment(unit, role, as_written, via))


def resolve_into(res: Resolution, name: str, role: str) -> None:
    units = resolve_units(name)
    if not units:
        res.unknown.append(name)
        return
    for unit in units:
        res.add(unit, role, name)
        if unit.collective:
            members = list(expansion(unit))
            if members:
                for member in members:
                    res.add(member, role, name, via=unit)
            elif name not in res.collective:
                res.collective.append(name)


_MARKERS = re.compile(r"(牵头负责|牵头|配合|(?:依据|按照?)?职责分工负责|(?:依据|按照?)?职责分工|分工负责|负责具体落实"
                      r"|具体落实|负责|[、/]|\s+)")
_TRAILING = re.compile(r"(等部门|等单位|等)$")


def _names(piece: str) -> list[str]:
    piece = _TRAILING.sub("", re.sub(r"^(由|请)", "", piece.strip())).strip()
    if not piece:
        return []
    if "及" in piece and not resolve_units(piece):
        return [n for part in piece.split("及") for n in _names(part)]
    return [piece]


def split_responsible(text: str) -> list[tuple[str, str | None]]:
    """Names in a 责任单位 cell with the role the text gives them (牵头 → lead, 配合 → coop,
    otherwise None): "生态环境综合行政执法局牵头，卫健局、发改局等按职责分工"."""
    out: list[tuple[str, str | None]] = []
    for clause in _CLAUSE.split(text or ""):
        clause = clause.strip()
        if clause and resolve_units(clause):  # a name that contains a marker word: 各牵头单位
            out.append((clause, None))
            continue
        pending: list[str] = []
        for token in _MARKERS.split(clause):
            if not token or not token.strip():
                continue
            if _MARKERS.fullmatch(token):
                if token.startswith("牵头") or token == "配合":
                    role = UnitRole.LEAD if token.startswith("牵头") else UnitRole.COOP
                    out += [(n, role) for n in pending]
                    pending = []
                continue
            pending += _names(token)
        out += [(n, None) for n in pending]
    return out


def resolve_responsible(text: str) -> Resolution:
    """Resolve a 责任单位 cell. Without an explicit 牵头, the first unit named leads and the
    others co-operate (the usual reading of a task table)."""
    names = split_responsible(text)
    explicit = any(r == UnitRole.LEAD for _n, r in names)
    res = Resolution()
    for i, (name, role) in enumerate(names):
        if role is None:
            role = UnitRole.COOP if explicit or i > 0 else UnitRole.LEAD
        resolve_into(res, name, role)
    return res
