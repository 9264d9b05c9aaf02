"""Accident figures. Every function takes a queryset that already went through ``visible_to``: the caller's scope
decides what is counted, never this module. Each figure carries the list filter that shows the accidents behind it."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.utils import timezone

from orgs.choices import JurisdictionLevel
from orgs.models import Domain, Jurisdiction

TOWNSHIP_LEVELS = (JurisdictionLevel.TOWNSHIP, JurisdictionLevel.SUBDISTRICT, JurisdictionLevel.PARK)


def month_bounds(year: int, month: int) -> tuple[dt.datetime, dt.datetime]:
    """[first instant of the month, first instant of the next) in the site's time zone."""
    start = dt.datetime(year, month, 1)
    end = dt.datetime(year + (month == 12), month % 12 + 1, 1)
    return timezone.make_aware(start), timezone.make_aware(end)


def year_bounds(year: int, until_month: int = 12) -> tuple[dt.datetime, dt.datetime]:
    return month_bounds(year, 1)[0], month_bounds(year, until_month)[1]


def in_month(qs: QuerySet, year: int, month: int) -> QuerySet:
    start, end = month_bounds(year, month)
    return qs.filter(occurred_at__gte=start, occurred_at__lt=end)


def totals(qs: QuerySet) -> dict[str, Any]:
    agg = qs.aggregate(count=Count("pk"), deaths=Sum("deaths"), serious=Sum("serious_injuries"),
                       injuries=Sum("injuries"), loss=Sum("direct_loss"))
    return {"count": agg["count"] or 0, "deaths": agg["deaths"] or 0, "serious": agg["serious"] or 0,
            "injuries": agg["injuries"] or 0, "loss": agg["loss"] or 0}


def township_index() -> dict[str, Jurisdiction]:
    return {j.path: j for j in Jurisdiction.objects.filter(level__in=TOWNSHIP_LEVELS)}


def township_path(path: str, index: dict[str, Jurisdiction]) -> str | None:
    """The path of the township (street, park) a jurisdiction path lies in; None above township level."""
    parts = [p for p in path.split("/") if p]
    for depth in range(1, len(parts) + 1):
        prefix = "/" + "/".join(parts[:depth]) + "/"
        if prefix in index:
            return prefix
    return None


@dataclass
class Comparison:
    """Accidents (and deaths) of one month against the same month of each of the three years before."""

    year: int
    month: int
    years: list[int]
    total: list[dict[str, int]] = field(default_factory=list)
    by_domain: list[dict[str, Any]] = field(default_factory=list)
    by_township: list[dict[str, Any]] = field(default_factory=list)


def month_comparison(qs: QuerySet, year: int, month: int) -> Comparison:
    """近三年同期: the month of ``year`` and the same month of ``year-1 … year-3``, by domain and by township. One
    grouped query per year; townships resolved from the rows' paths."""
    years = [year, year - 1, year - 2, year - 3]
    index = township_index()
    domains = {d.pk: d for d in Domain.objects.all()}
    per_domain: dict[int, list[list[int]]] = {}
    per_township: dict[str | None, list[list[int]]] = {}
    total = []
    for i, y in enumerate(years):
        rows = (in_month(qs, y, month).order_by().values("domain_id", "jurisdiction_path")
                .annotate(n=Count("pk"), d=Sum("deaths")))
        count = deaths = 0
        for row in rows:
            n, d = row["n"], row["d"] or 0
            count += n
            deaths += d
            cell = per_domain.setdefault(row["domain_id"], [[0, 0] for _ in years])[i]
            cell[0] += n
            cell[1] += d
            town = township_path(row["jurisdiction_path"], index)
            cell = per_township.setdefault(town, [[0, 0] for _ in years])[i]
            cell[0] += n
            cell[1] += d
        total.append({"count": count, "deaths": deaths})
    comparison = Comparison(year=year, month=month, years=years, total=total)
    for pk, cells in sorted(per_domain.items(), key=lambda kv: domains[kv[0]].code):
        comparison.by_domain.append({"domain": domains[pk], "key": pk, "cells": _cells(cells, years)})
    for path, cells in sorted(per_township.items(), key=lambda kv: kv[0] or "~"):
        place = index.get(path) if path else None
        comparison.by_township.append({"township": place, "key": place.pk if place else None,
                                       "name": place.name if place else "（县级及以上）", "cells": _cells(cells, years)})
    return comparison


def _cells(cells: list[list[int]], years: list[int]) -> list[dict[str, int]]:
    return [{"year": y, "count": c, "deaths": d} for y, (c, d) in zip(years, cells, strict=True)]


def trend(qs: QuerySet, year: int) -> list[dict[str, Any]]:
    """Accidents and deaths per month of ``year`` and of the year before (同比), one grouped query each."""
    out = []
    by_year: dict[int, Counter] = {}
    deaths: dict[int, Counter] = {}
    for y in (year, year - 1):
        start, end = year_bounds(y)
        by_year[y], deaths[y] = Counter(), Counter()
        for occurred, d in qs.filter(occurred_at__gte=start, occurred_at__lt=end).values_list("occurred_at", "deaths"):
            m = timezone.localtime(occurred).month
            by_year[y][m] += 1
            deaths[y][m] += d
    for m in range(1, 13):
        out.append({"month": m, "count": by_year[year][m], "last": by_year[year - 1][m],
                    "deaths": deaths[year][m], "last_deaths": deaths[year - 1][m],
                    "change": change(by_year[year][m], by_year[year - 1][m])})
    return out


def change(now: int, before: int) -> str:
    """同比: "+50%", "-20%", "持平", or "—" when there is nothing to compare with."""
    if before == 0:
        return "—" if now == 0 else "新增"
    if now == before:
        return "持平"
    pct = round((now - before) * 100 / before)
    return f"{pct:+d}%"


def year_to_date(qs: QuerySet, today: dt.date) -> dict[str, Any]:
    """This year up to today's month against the same months of last year: the home card's figures."""
    now_start, now_end = year_bounds(today.year, today.month)
    last_start, last_end = year_bounds(today.year - 1, today.month)
    this = totals(qs.filter(occurred_at__gte=now_start, occurred_at__lt=now_end))
    last = totals(qs.filter(occurred_at__gte=last_start, occurred_at__lt=last_end))
    return {"year": today.year, "last_year": today.year - 1, "until": today.month, "this": this, "last": last,
            "change": change(this["count"], last["count"]), "death_change": change(this["deaths"], last["deaths"])}
