"""The credit rule, stated once: points per event, how long an event counts, the class from the score, and what the
class means for supervision (the 分类分级 class, hence the 双随机 strata, caps and plan frequency).

Sources (markers as in /work/shared/reference/rules.md: [V] verbatim there, [M] from background knowledge, to be
verified against the official text before it is relied on in a dispute; [S] the product's own choice):

- rules.md §5.1, 国办发〔2015〕58号 (三) [V]: "对投诉举报多、列入经营异常名录或有严重违法违规记录等情况的市场主体，要加大
  随机抽查力度"; (四) [V]: "推进随机抽查与社会信用体系相衔接". → a worse credit class raises the enterprise's
  分类分级 class (``RISK_CLASS_FLOOR``), which sets its 双随机 stratum, its yearly cap and its planned frequency.
- rules.md §5.2, 国发〔2019〕5号 [M]: "与信用风险分类结合确定比例和频次". → same.
- rules.md §1.1, 安全生产法第七十八条第二款 [V]: penalty decisions are published (公开曝光) → a penalty is a negative
  credit event from its decision date; 行政处罚法第四十八条 (rules.md §5.4) [V]: a withdrawn decision is withdrawn from
  publication → its event is revoked and stops counting.
- rules.md §1.1, 安全生产法第一百一十三条 [V]: repeated penalties with a major hazard lead to closure; 第四十一条第三款
  [V]: 重大事故隐患治理督办 → an overdue major hazard is a negative event.
- 《安全生产严重失信主体名单管理办法》(应急管理部令第11号, 2023) [M]: 严重失信主体名单 (黑名单) for, among others,
  较大及以上生产安全责任事故, refusing or obstructing inspection (拒绝、阻碍监督检查); the unit is told beforehand and may
  state its case (陈述申辩); 管理期限 3 years from listing, after which the entry is 移出; 信用修复 may be asked for
  after at least 1 year on the list when the penalty is carried out, the hazard rectified and a 信用承诺 signed. →
  ``BLACKLIST_YEARS``, ``REPAIR_MIN_DAYS``; the decision records the grounds, the deciding unit and person.
- 《企业安全生产标准化建设定级办法》(应急〔2021〕83号) [M]: 一级/二级/三级, valid 3 years. → positive events.
- The points, the thresholds of the classes and the one-year/three-year validity of the other events are [S]: the
  county's own scoring, chosen so that one ordinary penalty leaves an enterprise in B, repeated violations bring it to
  C, and a 较大 accident or a place on the list is D.

Nothing here reads the database: ``compute_class`` is a pure function of the events (kind, points, dates, whether
revoked or repaired) and the list state, so the same events in any order give the same class."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from credit.choices import CreditClass, EventKind, StandardLevel

BASE_SCORE = 100

# Points of each kind of event (negative: 失信; positive: 守信).
PENALTY_POINTS = -10
PENALTY_HEAVY_POINTS = -20  # 停产停业整顿, licence suspended or revoked, closure, or ≥ 10万元 in money
PENALTY_HEAVY_AMOUNT = Decimal("100000")
OVERDUE_MAJOR_POINTS = -15
CONFIRMED_TIP_POINTS = -5
OBSTRUCTION_POINTS = -30
ACCIDENT_POINTS = {"general": -20, "larger": -45, "major": -60, "grave": -80}  # 国务院令第493号第三条 grades
STANDARD_POINTS = {StandardLevel.ONE: 15, StandardLevel.TWO: 10, StandardLevel.THREE: 5}
NO_ACCIDENT_POINTS = 5
NO_ACCIDENT_YEARS = 3

# How long an event counts (from the day it occurred).
VALIDITY_YEARS = {EventKind.PENALTY: 3, EventKind.OVERDUE_MAJOR: 3, EventKind.ACCIDENT: 3,
                  EventKind.CONFIRMED_TIP: 1, EventKind.OBSTRUCTION: 3, EventKind.STANDARDIZATION: 3,
                  EventKind.NO_ACCIDENT: 1}
BLACKLIST_YEARS = 3
# A repair may be approved once the event has counted this long (and a listing has lasted this long).
REPAIR_MIN_DAYS = {EventKind.PENALTY: 90, EventKind.OVERDUE_MAJOR: 90, EventKind.ACCIDENT: 365,
                   EventKind.CONFIRMED_TIP: 30, EventKind.OBSTRUCTION: 365}
BLACKLIST_REPAIR_MIN_DAYS = 365

# The class from the score: A ≥ 100, B 80–99, C 60–79, D below 60 or on the list (严重失信主体名单).
CLASS_FLOORS = ((CreditClass.A, 100), (CreditClass.B, 80), (CreditClass.C, 60))

# What the credit class does to the 分类分级 class (risk.choices.EnterpriseClass, A = 重点监管): at least this.
RISK_CLASS_FLOOR = {CreditClass.C: "b", CreditClass.D: "a"}


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def expires_on(kind: str, occurred_on: dt.date) -> dt.date:
    return add_years(occurred_on, VALIDITY_YEARS[EventKind(kind)])


def penalty_points(penalty_types: Iterable[str], amount: Decimal) -> int:
    heavy = {"suspension", "licence", "closure"} & set(penalty_types or ())
    return PENALTY_HEAVY_POINTS if heavy or (amount or 0) >= PENALTY_HEAVY_AMOUNT else PENALTY_POINTS


def accident_points(grade: str) -> int:
    return ACCIDENT_POINTS.get(grade, ACCIDENT_POINTS["general"])


@dataclass(frozen=True)
class EventFacts:
    """What the rule reads of an event (a ``CreditEvent`` has these attributes)."""

    points: int
    occurred_on: dt.date
    expires_on: dt.date
    revoked: bool = False
    repaired: bool = False


def counts(event: Any, today: dt.date) -> bool:
    """An event counts from the day it occurred until (not including) its expiry, unless revoked or repaired."""
    revoked = getattr(event, "revoked", None)
    if revoked is None:
        revoked = getattr(event, "revoked_at", None) is not None
    repaired = getattr(event, "repaired", None)
    if repaired is None:
        repaired = getattr(event, "repaired_at", None) is not None
    return not revoked and not repaired and event.occurred_on <= today < event.expires_on


def class_of_score(score: int, *, blacklisted: bool = False) -> str:
    if blacklisted:
        return CreditClass.D.value
    for klass, floor in CLASS_FLOORS:
        if score >= floor:
            return klass.value
    return CreditClass.D.value


def score_of(events: Iterable[Any], today: dt.date) -> int:
    return BASE_SCORE + sum(e.points for e in events if counts(e, today))


def compute_class(events: Iterable[Any], today: dt.date, *, blacklisted: bool = False) -> tuple[str, int]:
    """(class, score) from the events and whether the enterprise is on the list today."""
    score = score_of(events, today)
    return class_of_score(score, blacklisted=blacklisted), score


def score_bounds(klass: str) -> tuple[int | None, int | None]:
    """The scores of a class (inclusive bounds, None: open), for filtering in the database."""
    bounds: dict[str, tuple[int | None, int | None]] = {}
    upper: int | None = None
    for k, floor in CLASS_FLOORS:
        bounds[k.value] = (floor, upper)
        upper = floor - 1
    bounds[CreditClass.D.value] = (None, upper)
    return bounds[klass]
