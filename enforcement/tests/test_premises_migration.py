"""The data migration that moves enforcement.Premises into checks.Premises keeps every row and reference: the
premises' fields, the inspections that point at them, and the old premises ids of committed draws (aliases).

The project's tests cannot migrate the database backwards (the change log is append-only, so a transactional test
cannot flush), so the migration's function runs here as the other migration tests run theirs (hazards, campaigns):
on today's models, with the old table stood in for by its rows and the inspections' relinking observed."""

from __future__ import annotations

import importlib
from types import SimpleNamespace
from typing import Any

import pytest

from checks.models import Premises
from enforcement.models import Draw
from enforcement.tests.factories import commit, roster
from orgs.models import Domain, Jurisdiction
from tests.personas import World

pytestmark = pytest.mark.django_db
migration = importlib.import_module("enforcement.migrations.0006_enf_premises_into_checks")


class _Rows:
    def __init__(self, rows: list[Any]) -> None:
        self.rows = rows

    def order_by(self, *_fields: str) -> _Rows:
        return self

    def iterator(self) -> Any:
        return iter(sorted(self.rows, key=lambda r: r.pk))


class _Relinks:
    """The old inspection table: which inspection pointed at which old premises, and the relinking applied."""

    def __init__(self, links: dict[int, int]) -> None:
        self.links = links  # inspection pk -> old premises pk
        self.moved: dict[int, int] = {}

    def filter(self, *, premises_id: int) -> Any:
        relinks = self

        class _Update:
            def update(self, *, premises_unified_id: int) -> None:
                for inspection, old in relinks.links.items():
                    if old == premises_id:
                        relinks.moved[inspection] = premises_unified_id

        return _Update()


def test_premises_move_into_checks_keeping_every_row_and_reference(world: World) -> None:
    place = Jurisdiction.objects.get(name="山枣镇")
    domain = Domain.objects.get(code="D1")
    Premises.objects.create(name="已有场所", address="甲", jurisdiction=place, jurisdiction_path=place.path,
                            domain=domain)  # the two tables' ids overlap
    old_rows = [SimpleNamespace(pk=1, name="王某个体加油点", address="集镇路1号", jurisdiction_id=place.pk,
                                jurisdiction_path=place.path, domain_id=domain.pk, note="无证经营举报"),
                SimpleNamespace(pk=2, name="李某作坊", address="", jurisdiction_id=place.pk,
                                jurisdiction_path=place.path, domain_id=domain.pk, note="")]
    roster(world, 2)
    draw = commit(world)
    inspections = _Relinks({101: 1, 102: 2, 103: 1})
    models = {("enforcement", "Premises"): SimpleNamespace(objects=_Rows(old_rows)),
              ("checks", "Premises"): Premises,
              ("enforcement", "Inspection"): SimpleNamespace(objects=inspections),
              ("enforcement", "Draw"): Draw}
    migration.move_premises(SimpleNamespace(get_model=lambda app, name: models[app, name]), None)
    moved = Premises.objects.get(name="王某个体加油点")
    assert (moved.address, moved.note, moved.jurisdiction_id, moved.domain_id, moved.jurisdiction_path) == (
        "集镇路1号", "无证经营举报", place.pk, domain.pk, place.path)
    workshop = Premises.objects.get(name="李某作坊", address="")
    assert Premises.objects.count() == 3
    assert inspections.moved == {101: moved.pk, 102: workshop.pk, 103: moved.pk}
    draw.refresh_from_db()
    assert draw.target_aliases == {"p1": f"p{moved.pk}", "p2": f"p{workshop.pk}"}


def test_a_draw_made_before_the_move_names_and_assigns_its_premises_through_the_aliases(world: World) -> None:
    from enforcement import services
    from enforcement.views import _target_names

    place = Jurisdiction.objects.get(name="山枣镇")
    shop = Premises.objects.create(name="王某个体加油点", address="集镇路1号", jurisdiction=place,
                                   jurisdiction_path=place.path, domain=Domain.objects.get(code="D1"))
    roster(world, 2)
    draw = commit(world)
    old_id = f"p{shop.pk + 1000}"
    Draw.objects.filter(pk=draw.pk).update(target_aliases={old_id: f"p{shop.pk}"}, result={
        "targets": [{"order": 1, "id": old_id, "stratum": "all", "inspectors": []}], "shortfall": []})
    draw.refresh_from_db()
    assert services.resolve_target(draw, old_id) == f"p{shop.pk}"
    assert _target_names(draw) == {old_id: "王某个体加油点"}
    assert _target_names(draw, public=True) == {old_id: services.mask_name("王某个体加油点")}
