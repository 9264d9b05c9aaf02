"""Turn 责任单位 as documents write them into organisation units.

A spelling may name several units (aliases, "经开区、水府管委会"); a collective name such as
各乡镇（街道） is kept as its collective unit *and* expanded to every unit it stands for, so each
township finds the task on its own "我的任务" page. Names that stay collective (相关部门) are
reported by the callers; names that resolve to nothing are errors."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from campaigns.choices import UnitRole
from orgs.choices import JurisdictionLevel, UnitKind
from orgs.models import Jurisdiction, Unit, UnitAlias
from orgs.selectors import UnitDirectory, resolve_units

_CLAUSE = re.compile(r"[，,；;\n。]")

# Within ``cached()`` (one import: its preview or its commit), what a spelling resolves to, the territory names
# and the members of a collective are read once, not once per cell: the units do not change under an import.
_cache: ContextVar[dict[Any, Any] | None] = ContextVar("campaigns_units_cache", default=None)


@contextmanager
def cached() -> Iterator[None]:
    """Resolve each spelling once for the duration (nested uses share the outer cache)."""
    if _cache.get() is not None:
        yield
        return
    token = _cache.set({})
    try:
        yield
    finally:
        _cache.reset(token)


def _memo(key: Any, compute: Any) -> Any:
    cache = _cache.get()
    if cache is None:
        return compute()
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def _resolve(name: str) -> list[Unit]:
    if _cache.get() is None:
        return resolve_units(name)
    # Within an import every cell is looked up in the directory read once: a table names thousands of different
    # clauses (each pair of 配合单位 is tried as one name first), not thousands of units.
    return _memo(("units", name), lambda: _memo(("directory",), UnitDirectory).resolve(name))


# Collectives that stand for every department regulating a domain (the stated rule of expansion: a unit that is
# not a collective, is a department or "other" body, and has at least one regulated domain).
REGULATOR_COLLECTIVES = frozenset({"各负有安全监管职责的部门", "各行业监管部门"})


def expansion(unit: Unit) -> QuerySet[Unit]:
    """The member units a collective unit stands for ("各乡镇（街道）" → every township; 各负有安全监管职责的部门 /
    各行业监管部门 → every department with a regulated domain); empty for a collective whose members cannot be
    told (相关部门)."""
    members = Unit.objects.filter(active=True, collective=False)
    if unit.collective and unit.name in REGULATOR_COLLECTIVES:
        return (members.filter(kind__in=[UnitKind.DEPARTMENT, UnitKind.OTHER], domains__isnull=False)
                .distinct().order_by("sort", "name"))
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


_NOTE = re.compile(r"[（(]([^（）()]*)[）)]$")


def _prefixes() -> list[str]:
    """Names of the top territories (湘乡市): "湘乡市应急管理局" is written for "市应急管理局"."""
    return _memo("prefixes", lambda: [name for name in Jurisdiction.objects.filter(parent__isnull=True)
                                      .values_list("name", flat=True) if name])


def spellings(name: str) -> list[str]:
    """The ways a spelling may be meant, tried in order: as written, without a note in brackets at its end
    (（牵头）, （含…）), with the territory's name read as 市, with 市 added or dropped."""
    out = [name]
    bare = _NOTE.sub("", name).strip()
    if bare and bare != name:
        out.append(bare)
    for base in list(out):
        for prefix in _prefixes():
            if base.startswith(prefix) and len(base) > len(prefix):
                out += ["市" + base[len(prefix):], base[len(prefix):]]
        if base.startswith("市") and len(base) > 2:
            out.append(base[1:])
        elif not base.startswith("市"):
            out.append("市" + base)
    seen: list[str] = []
    return [x for x in out if not (x in seen or seen.append(x))]


def resolve_spelling(name: str) -> list[Unit]:
    """The units a spelling names, read through :func:`spellings` (the first reading that names any)."""
    for candidate in spellings(name):
        units = _resolve(candidate)
        if units:
            return units
    return []


def guesses(name: str, n: int = 3) -> list[Unit]:
    """Best-guess units for a spelling nothing resolves: near spellings of unit names and aliases."""
    names: dict[str, int] = {}
    for unit_id, unit_name in Unit.objects.filter(active=True).values_list("pk", "name"):
        names.setdefault(unit_name, unit_id)
    for unit_id, alias in UnitAlias.objects.filter(unit__active=True).values_list("unit_id", "alias"):
        names.setdefault(alias, unit_id)
    found: list[int] = []
    for candidate in spellings(name):
        for close in difflib.get_close_matches(candidate, list(names), n=n, cutoff=0.5):
            if names[close] not in found:
                found.append(names[close])
    units = Unit.objects.in_bulk(found[:n])
    return [units[pk] for pk in found[:n] if pk in units]


def resolve_into(res: Resolution, name: str, role: str) -> None:
    units = resolve_spelling(name)
    if not units:
        res.unknown.append(name)
        return
    for unit in units:
        res.add(unit, role, name)
        if unit.collective:
            members = _memo(("members", unit.pk), lambda unit=unit: list(expansion(unit)))
            if members:
                for member in members:
                    res.add(member, role, name, via=unit)
            elif name not in res.collective:
                res.collective.append(name)


_MARKERS = re.compile(r"(〔牵头〕|〔配合〕|牵头负责|牵头|配合|(?:依据|按照?)?职责分工负责|(?:依据|按照?)?职责分工|分工负责|负责具体落实"
                      r"|具体落实|负责|[、/]|\s+)")
_ROLE_NOTE = re.compile(r"[（(](牵头|配合)[）)]")
_TRAILING = re.compile(r"(等部门|等单位|等)$")


def _names(piece: str) -> list[str]:
    piece = _TRAILING.sub("", re.sub(r"^(由|请)", "", piece.strip())).strip()
    if not piece:
        return []
    if "及" in piece and not _resolve(piece):
        return [n for part in piece.split("及") for n in _names(part)]
    return [piece]


def split_responsible(text: str) -> list[tuple[str, str | None]]:
    """Names in a 责任单位 cell with the role the text gives them (牵头 → lead, 配合 → coop,
    otherwise None): "生态环境综合行政执法局牵头，卫健局、发改局等按职责分工"."""
    out: list[tuple[str, str | None]] = []
    # A note in brackets (市应急管理局（牵头）) gives the role of the one name before it: one unit, the lead.
    text = _ROLE_NOTE.sub(lambda m: f"〔{m[1]}〕", text or "")
    for clause in _CLAUSE.split(text):
        clause = clause.strip()
        if clause and _resolve(clause):  # a name that contains a marker word: 各牵头单位
            out.append((clause, None))
            continue
        pending: list[str] = []
        for token in _MARKERS.split(clause):
            if not token or not token.strip():
                continue
            if _MARKERS.fullmatch(token):
                if token.startswith("〔"):
                    role = UnitRole.LEAD if token == "〔牵头〕" else UnitRole.COOP
                    out += [(n, None) for n in pending[:-1]] + [(n, role) for n in pending[-1:]]
                    pending = []
                elif token.startswith("牵头") or token == "配合":
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


def resolve_columns(lead: str, coop: str) -> Resolution:
    """Resolve a table with separate 牵头单位 and 配合单位 columns: every unit of the first leads, every unit of
    the second co-operates (unless the text itself says otherwise)."""
    res = Resolution()
    for text, default in ((lead, UnitRole.LEAD), (coop, UnitRole.COOP)):
        for name, role in split_responsible(text):
            resolve_into(res, name, role or default)
    return res
