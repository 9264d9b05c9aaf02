"""The 曝光台 (exposure board): a small registry of sources, each giving the entries that are public today.

A source is registered once (``register_exposure_source``) and returns ``ExposureItem``s for a date; the public
page shows each source as one section. Today: the office's published typical cases (``typical``) and major
hazards past their deadline and not closed (``overdue_major``). A later credit module adds its 黑名单 (blacklist)
entries the same way, from its own ``ready()``::

    register_exposure_source(ExposureSource(key="credit.blacklist", label="严重失信主体名单", order=30,
                                            items=blacklist_items))

Expiry rules: a typical case leaves the board on its ``expires_on`` (one year after publication unless the office
set an earlier date, at most three years) or when withdrawn; an overdue major hazard is listed while it is
overdue (past its current deadline and still with the responsible party: registered to rectifying) and leaves
the board as soon as it applies for acceptance, is closed, voided or its deadline is extended by an approved
延期. Names of people are never shown; enterprise names are (they are the subject of supervision)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from core.formats import cn_date


@dataclass(frozen=True)
class ExposureItem:
    title: str
    subject: str  # the enterprise or place
    grounds: str
    since: dt.date
    until: dt.date | None
    detail: str = ""


@dataclass(frozen=True)
class ExposureSource:
    key: str
    label: str
    items: Callable[[dt.date], list[ExposureItem]]
    order: int = 100


SOURCES: dict[str, ExposureSource] = {}


def register_exposure_source(source: ExposureSource) -> None:
    SOURCES[source.key] = source


def board(today: dt.date) -> list[tuple[ExposureSource, list[ExposureItem]]]:
    return [(source, source.items(today)) for source in sorted(SOURCES.values(), key=lambda s: (s.order, s.key))]


def typical_cases(today: dt.date) -> list[ExposureItem]:
    from tips.models import ExposureEntry

    rows = (ExposureEntry.objects.filter(withdrawn_at__isnull=True, published_on__lte=today, expires_on__gt=today)
            .order_by("-published_on", "-pk")[:200])
    return [ExposureItem(title=e.title, subject=e.enterprise_name, grounds=e.grounds, since=e.published_on,
                         until=e.expires_on, detail=e.summary) for e in rows]


def overdue_major_hazards(today: dt.date) -> list[ExposureItem]:
    from hazards.choices import OVERDUE_STATUSES, Grade
    from hazards.models import Hazard
    from tips.services import mask_personal

    rows = (Hazard.objects.filter(grade=Grade.MAJOR, status__in=OVERDUE_STATUSES, deadline__lt=today)
            .select_related("enterprise", "jurisdiction").order_by("deadline", "pk")[:200])
    grounds = _("重大事故隐患逾期未完成治理（事故隐患排查治理暂行规定第二十条，挂牌督办）")
    return [ExposureItem(
        title=f"{h.number} {mask_personal(h.description[:80])}", subject=h.where, grounds=grounds + (
            f"；{h.criterion_ref}" if h.criterion_ref else ""), since=h.deadline, until=None,
        detail=_("整改期限 %(d)s，已逾期 %(n)d 天；%(j)s") % {"d": cn_date(h.deadline), "n": (today - h.deadline).days,
                                                       "j": h.jurisdiction.name}) for h in rows]


def register() -> None:
    register_exposure_source(ExposureSource(key="tips.typical", label=_("典型案例"), items=typical_cases, order=10))
    register_exposure_source(ExposureSource(key="hazards.overdue_major", label=_("逾期未整改重大事故隐患"),
                                            items=overdue_major_hazards, order=20))
