from __future__ import annotations

import json

from core.models import ChangeEvent
from enterprises.models import Enterprise
from orgs import services
from orgs.loaders import DATA_DIR, load_org_structure
from orgs.models import Domain, Jurisdiction, Unit
from orgs.selectors import resolve_units
from tests.personas import World


def test_every_unit_of_the_data_file_is_loaded_with_its_aliases(world: World) -> None:
    data = json.loads((DATA_DIR / "xiangxiang.json").read_text(encoding="utf-8"))
    for entry in data["units"]:
        unit = Unit.objects.get(name=entry["name"])
        assert set(unit.aliases.values_list("alias", flat=True)) == set(entry["aliases"]) - {entry["name"]}
    assert Domain.objects.filter(kind="domain").count() == 12
    assert Domain.objects.filter(kind="thematic").count() == 2


def test_aliases_resolve_to_one_unit(world: World) -> None:
    assert [u.name for u in resolve_units("市科工局")] == ["市科技工信局"]
    assert [u.name for u in resolve_units("市科技工信局")] == ["市科技工信局"]
    assert [u.name for u in resolve_units("应急管理局")] == ["市应急管理局"]


def test_a_combined_spelling_names_every_unit_in_it(world: World) -> None:
    assert {u.name for u in resolve_units("经开区、水府管委会")} == {"经开区管委会", "水府管委会"}
    assert resolve_units("不存在的单位") == []


def test_departments_regulate_the_domains_they_lead(world: World) -> None:
    codes = set(Unit.objects.get(name="市消防救援大队").domains.values_list("code", flat=True))
    assert codes == {"D3"}
    assert "D8" in set(Unit.objects.get(name="市市场监管局").domains.values_list("code", flat=True))


def test_synthetic_townships_are_marked_and_seed_parks_are_not(world: World) -> None:
    assert Jurisdiction.objects.get(name="东山街道").synthetic
    assert not Jurisdiction.objects.get(name="湘乡经济开发区").synthetic
    assert Unit.objects.get(name="经开区管委会").jurisdiction.name == "湘乡经济开发区"


def test_reloading_changes_nothing(world: World) -> None:
    head = ChangeEvent.objects.count()
    report = load_org_structure()
    assert ChangeEvent.objects.count() == head
    assert not report.problems


def test_moving_a_jurisdiction_rekeys_what_lies_in_it(world: World) -> None:
    village = Jurisdiction.objects.get(name="石桥村")
    old_parent = village.parent
    ent = Enterprise.objects.get(pk=world.enterprises["ent_b1"].pk)
    from enterprises import services as ent_services

    ent = ent_services.enterprise_update(actor=None, enterprise=ent, jurisdiction=village)
    assert ent.jurisdiction_path.startswith(old_parent.path)
    new_parent = Jurisdiction.objects.get(name="东山街道")
    services.jurisdiction_save(actor=None, code=village.code, name=village.name, level=village.level,
                               parent=new_parent, synthetic=True)
    village.refresh_from_db()
    ent.refresh_from_db()
    assert village.path.startswith(new_parent.path)
    assert ent.jurisdiction_path == village.path
    assert Enterprise.objects.visible_to(world.user("township_a")).filter(pk=ent.pk).exists()
    assert not Enterprise.objects.visible_to(world.user("township_b")).filter(pk=ent.pk).exists()


def test_unit_directory_resolves_every_spelling_as_resolve_units(world: World) -> None:
    from orgs.models import UnitAlias
    from orgs.selectors import UnitDirectory

    unit = Unit.objects.get(name="市应急管理局")
    UnitAlias.objects.create(unit=Unit.objects.get(name="市消防救援大队"), alias="两家共用的简称")
    UnitAlias.objects.create(unit=unit, alias="两家共用的简称")
    directory = UnitDirectory()
    spellings = {*Unit.objects.values_list("name", flat=True), *UnitAlias.objects.values_list("alias", flat=True),
                 " 市应急管理局 ", "", "不存在的单位", "经开区、水府管委会"}
    for name in spellings:
        assert directory.resolve(name) == resolve_units(name), name
    assert len(directory.resolve("两家共用的简称")) == 2
