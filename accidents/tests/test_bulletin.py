"""The monthly 事故警示通报 over three years of synthetic history built through the services: its figures equal
direct counts, for the office and for a township (scope), and the generated .docx opens and carries them."""

from __future__ import annotations

import datetime as dt
import io
import random

import pytest
from django.test import Client
from django.utils import timezone
from docx import Document

from accidents import services
from accidents.bulletin import bulletin_data, context
from accidents.choices import AccidentType, PartyKind
from accidents.models import Accident
from accidents.selectors import TOWNSHIP_LEVELS
from accidents.tests.factories import register
from orgs.models import Domain, Jurisdiction
from tests.personas import World

pytestmark = pytest.mark.django_db
YEAR, MONTH = 2025, 3


def _history(world: World) -> None:
    rng = random.Random(20250301)
    enterprises = ["ent_a1", "ent_b1", "ent_b2", "ent_park", None]
    tz = timezone.get_current_timezone()
    for year in range(YEAR - 3, YEAR + 1):
        for _ in range(rng.randint(2, 5)):
            day = rng.randint(1, 31)
            occurred = dt.datetime(year, MONTH, day, rng.randint(0, 23), 30, tzinfo=tz)
            register(world, enterprise=rng.choice(enterprises), occurred_at=occurred, deaths=rng.randint(0, 3),
                     injuries=rng.randint(0, 2))
        # the edges of the month, which must not count: the last minute before it and the first of the next
        register(world, occurred_at=dt.datetime(year, MONTH - 1, 28, 23, 59, tzinfo=tz), deaths=5)
        register(world, enterprise="ent_b1", occurred_at=dt.datetime(year, MONTH + 1, 1, 0, 0, tzinfo=tz), deaths=5)
    # a fire of the month in a shop (生产经营场所), a typical case with a named person
    fire = register(world, "regulator_fire", enterprise="ent_a2", accident_type=AccidentType.FIRE,
                    occurred_at=dt.datetime(YEAR, MONTH, 9, 20, 0, tzinfo=tz), typical=True, summary="仓库电气线路短路起火。")
    office = world.user("office")
    services.accident_transition(actor=office, accident=fire, action="investigate")
    services.finding_add(actor=office, accident=fire, kind=PartyKind.PERSON, name="王小明", position="店长",
                         responsibility="未落实防火巡查")


def _direct(qs: object, year: int, **lookup: object) -> tuple[int, int]:
    rows = qs.filter(occurred_at__year=year, occurred_at__month=MONTH, **lookup)  # type: ignore[attr-defined]
    return rows.count(), sum(rows.values_list("deaths", flat=True))


@pytest.mark.parametrize("persona", ["office", "township_b"])
def test_bulletin_figures_equal_direct_counts(world: World, persona: str) -> None:
    _history(world)
    visible = Accident.objects.visible_to(world.user(persona))
    data = bulletin_data(visible, YEAR, MONTH)
    comparison = data.comparison
    assert comparison.years == [YEAR, YEAR - 1, YEAR - 2, YEAR - 3]
    for i, year in enumerate(comparison.years):
        count, deaths = _direct(visible, year)
        assert comparison.total[i] == {"count": count, "deaths": deaths}
        assert sum(r["cells"][i]["count"] for r in comparison.by_domain) == count
        assert sum(r["cells"][i]["count"] for r in comparison.by_township) == count
        for row in comparison.by_domain:
            assert (row["cells"][i]["count"], row["cells"][i]["deaths"]) == _direct(visible, year, domain=row["domain"])
        for row in comparison.by_township:
            place = row["township"]
            assert place is not None and place.level in TOWNSHIP_LEVELS
            assert (row["cells"][i]["count"], row["cells"][i]["deaths"]) == _direct(
                visible, year, jurisdiction_path__startswith=place.path)
    if persona == "township_b":
        assert {r["township"].name for r in comparison.by_township} <= {"山枣镇"}
        assert not data.fires and not data.cases
    else:
        assert comparison.total[0]["count"] > 0
        assert [r for _a, r in data.fires] == ["city"]


def test_the_docx_opens_and_carries_the_figures(world: World, client: Client) -> None:
    _history(world)
    services.bulletin_save(actor=world.user("office"), month=dt.date(YEAR, MONTH, 1), tasks="开展电气火灾专项整治\n落实有限空间作业审批")
    client.force_login(world.users["office"])
    response = client.get(f"/accidents/bulletin.docx?year={YEAR}&month={MONTH}")
    assert response.status_code == 200
    doc = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = [[c.text for c in row.cells] for table in doc.tables for row in table.rows]
    visible = Accident.objects.visible_to(world.user("office"))
    totals = [_direct(visible, y) for y in (YEAR, YEAR - 1, YEAR - 2, YEAR - 3)]
    assert ["合计", *[f"{c}起/{d}人" for c, d in totals]] == cells[1][:5]
    d12 = Domain.objects.get(code="D12")
    row = next(r for r in cells if r[0] == d12.name)
    assert row[1] == "{}起/{}人".format(*_direct(visible, YEAR, domain=d12))
    town = Jurisdiction.objects.get(name="山枣镇")
    row = next(r for r in cells if r[0] == "山枣镇")
    assert row[2] == "{}起/{}人".format(*_direct(visible, YEAR - 1, jurisdiction_path__startswith=town.path))
    assert "开展电气火灾专项整治" in text and "落实有限空间作业审批" in text
    assert "王某某" in text and "王小明" not in text  # the responsible person masked
    assert any(r[1] == "全市范围" for r in cells)
    assert f"{YEAR}年{MONTH}月，共发生生产安全事故{totals[0][0]}起" in text


def test_the_context_matches_the_registered_variables(world: World) -> None:
    from documents.registry import get_type, shape

    _history(world)
    data = bulletin_data(Accident.objects.visible_to(world.user("office")), YEAR, MONTH)
    real = context(data, tasks="任务", issuer="市安委办", today=dt.date(2025, 4, 2))
    assert shape(real) == shape(get_type("accidents_bulletin").sample_context())
