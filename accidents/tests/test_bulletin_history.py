"""The bulletin over a full three years of synthetic history (every month of 2022–2025, accidents of every persona
enterprise and placeless ones, across domains and townships): for a month in the middle of a year and for January
(whose same months of the last three years start new years), every figure equals a direct count over the stored
accidents, and the generated .docx opens and carries the same numbers."""

from __future__ import annotations

import datetime as dt
import io
import random

import pytest
from django.test import Client
from django.utils import timezone
from docx import Document

from accidents.bulletin import bulletin_data
from accidents.models import Accident
from accidents.tests.factories import register
from tests.personas import World

pytestmark = pytest.mark.django_db
FIRST, LAST = 2022, 2025


def _three_years(world: World) -> int:
    rng = random.Random(20221)
    tz = timezone.get_current_timezone()
    made = 0
    for year in range(FIRST, LAST + 1):
        for month in range(1, 13):
            for _ in range(rng.randint(0, 3)):
                day = rng.randint(1, 28)
                register(world, enterprise=rng.choice(["ent_a1", "ent_b1", "ent_b2", "ent_park", None]),
                         occurred_at=dt.datetime(year, month, day, rng.randint(0, 23), rng.choice([0, 59]), tzinfo=tz),
                         deaths=rng.choice([0, 0, 1, 2]), injuries=rng.randint(0, 2))
                made += 1
    return made


def _direct(qs: object, year: int, month: int, **lookup: object) -> tuple[int, int]:
    tz = timezone.get_current_timezone()
    start = dt.datetime(year, month, 1, tzinfo=tz)
    end = dt.datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=tz)
    rows = qs.filter(occurred_at__gte=start, occurred_at__lt=end, **lookup)  # type: ignore[attr-defined]
    return rows.count(), sum(rows.values_list("deaths", flat=True))


@pytest.mark.parametrize("month", [1, 7])
def test_every_figure_equals_a_direct_count(world: World, client: Client, month: int) -> None:
    assert _three_years(world) >= 60
    for persona in ("office", "township_b", "regulator"):
        visible = Accident.objects.visible_to(world.user(persona))
        comparison = bulletin_data(visible, LAST, month).comparison
        years = [LAST, LAST - 1, LAST - 2, LAST - 3]
        assert comparison.years == years
        for i, year in enumerate(years):
            count, deaths = _direct(visible, year, month)
            assert comparison.total[i] == {"count": count, "deaths": deaths}, (persona, year)
            for row in comparison.by_domain:
                assert (row["cells"][i]["count"], row["cells"][i]["deaths"]) == _direct(
                    visible, year, month, domain=row["domain"]), (persona, year, row["domain"])
            for row in comparison.by_township:
                assert (row["cells"][i]["count"], row["cells"][i]["deaths"]) == _direct(
                    visible, year, month, jurisdiction_path__startswith=row["township"].path), (persona, year)
            assert sum(r["cells"][i]["count"] for r in comparison.by_domain) == count
            assert sum(r["cells"][i]["count"] for r in comparison.by_township) == count
    client.force_login(world.users["office"])
    response = client.get(f"/accidents/bulletin.docx?year={LAST}&month={month}")
    assert response.status_code == 200
    doc = Document(io.BytesIO(response.content))
    cells = [[c.text for c in row.cells] for table in doc.tables for row in table.rows]
    visible = Accident.objects.visible_to(world.user("office"))
    totals = [_direct(visible, y, month) for y in (LAST, LAST - 1, LAST - 2, LAST - 3)]
    assert ["合计", *[f"{c}起/{d}人" for c, d in totals]] == cells[1][:5]
    text = "\n".join(p.text for p in doc.paragraphs)
    assert f"{LAST}年{month}月，共发生生产安全事故{totals[0][0]}起" in text
