"""The population snapshot of a draw (检查对象名录库 as committed): set-based, byte-identical to the per-batch path.

``reference_snapshot`` is the previous implementation (batches of enterprises, ``directory_facts`` per batch), kept
here as the oracle: the draw's verifiability rests on the snapshot's canonical bytes, so the set-based build must
give the same bytes for the same data, under every filter, stratification and viewer.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest
from django.utils import timezone

from checks import services as checks_services
from checks.models import Premises
from enforcement import draw as algorithm
from enforcement import services
from enforcement.choices import InspectionOrigin, InspectionStatus
from enforcement.models import Inspection, Inspector
from enforcement.tests.factories import roster
from enterprises.credit_code import make_credit_code
from enterprises.models import Enterprise, EnterpriseDomain
from hazards.choices import Grade as HazardGrade
from hazards.choices import Source as HazardSource
from hazards.choices import Status as HazardStatus
from hazards.models import Hazard
from hazards.tests.factories import enterprise_hazard
from orgs.models import Domain, Jurisdiction, Unit
from risk import services as risk_services
from risk.tests.factories import make_point
from tests.personas import World

pytestmark = pytest.mark.django_db


def reference_snapshot(*, department: Unit, filters: dict[str, Any], cap: int, year: int, stratify: str = "class",
                       viewer: Any = None, batch_size: int = 2) -> list[dict[str, Any]]:
    """The per-batch build this module replaced (enforcement.services before the set-based snapshot)."""
    qs = services.department_enterprises(department)
    if filters.get("domain"):
        qs = qs.filter(enterprisedomain__domain_id=filters["domain"])
    if filters.get("township"):
        qs = qs.filter(jurisdiction_path__startswith=filters["township"])
    qs = qs.order_by("pk").prefetch_related("domains")
    classes_wanted = set(filters.get("classes") or ())
    population: list[dict[str, Any]] = []
    enterprises = list(qs)
    for start in range(0, len(enterprises), batch_size):
        batch = enterprises[start:start + batch_size]
        facts = services.directory_facts(batch, year=year, viewer=viewer, department=department)
        for e in batch:
            f = facts[e.pk]
            if classes_wanted and f["class"] not in classes_wanted:
                continue
            population.append({
                "id": f"e{e.pk}", "name": services.public_target_name(e.name, credit_code=e.credit_code), "stratum": services._stratum(stratify, f["class"], e.jurisdiction_path),
                "place": e.jurisdiction_path, "township": services.township_path(e.jurisdiction_path),
                "domains": sorted(d.code for d in e.domains.all()), "class": f["class"],
                "cap_left": max(min(cap, int(f["frequency"]) if stratify == "class_cap" else cap)
                                - f["inspections_this_year"], 0),
                "complaints": f["complaints"], "violations": f["violations"],
                "last_inspectors": f["last_inspectors"]})
    if filters.get("premises", True) and not classes_wanted:
        premises = Premises.objects.filter(jurisdiction_path__startswith=department.jurisdiction_path,
                                           domain__in=department.domains.all())
        if filters.get("domain"):
            premises = premises.filter(domain_id=filters["domain"])
        if filters.get("township"):
            premises = premises.filter(jurisdiction_path__startswith=filters["township"])
        for p in premises.select_related("domain").order_by("pk"):
            population.append({"id": f"p{p.pk}", "name": services.public_target_name(p.name, premises=True),
                               "stratum": services._stratum(stratify, "", p.jurisdiction_path),
                               "place": p.jurisdiction_path, "township": services.township_path(p.jurisdiction_path),
                               "domains": [p.domain.code], "class": "", "cap_left": cap, "complaints": 0,
                               "violations": 0, "last_inspectors": []})
    return population


def _inspect(world: World, enterprise: Enterprise, inspectors: list[Any], *, status: str,
             started: dt.datetime | None) -> Inspection:
    inspection = services.inspection_create(actor=world.user("regulator"), origin=InspectionOrigin.COMPLAINT,
                                            inspectors=inspectors, enterprise=enterprise)
    # Test data: the inspection's later states without walking the workflow (its walk is tested elsewhere).
    Inspection.objects.filter(pk=inspection.pk).update(status=status, started_at=started)
    return inspection


def rich_population(world: World) -> None:
    """Every input of a snapshot row: grades, flags, major hazards open and closed, manual classes (latest wins,
    a reset included), complaints and violations, inspections of this department this year (planned ones too),
    last inspections with and without a start time, several domains, premises."""
    regulator = world.user("regulator")
    ents = world.enterprises
    make_point(ents["ent_a1"], "red")
    make_point(ents["ent_b1"], "blue")
    make_point(ents["ent_park"], "orange")
    Enterprise.objects.filter(pk=ents["ent_b1"].pk).update(flag_hazardous_chemicals=True)
    Enterprise.objects.filter(pk=ents["ent_b2"].pk).update(flag_major_hazard=True, flag_high_rise=True)
    risk_services.class_override(actor=regulator, enterprise=ents["ent_park"], klass="d", reason="经现场核实降为D类")
    risk_services.class_override(actor=regulator, enterprise=ents["ent_a1"], klass="c", reason="经现场核实降为C类")
    risk_services.class_override(actor=regulator, enterprise=ents["ent_a1"], klass=None, reason="恢复按规则确定")
    enterprise_hazard(world, actor_key="regulator", enterprise_key="ent_b1", source=HazardSource.PUBLIC_REPORT)
    enterprise_hazard(world, actor_key="regulator", enterprise_key="ent_b1", source=HazardSource.PUBLIC_REPORT)
    enterprise_hazard(world, actor_key="regulator", enterprise_key="ent_b1", source=HazardSource.GOVERNMENT)
    closed = enterprise_hazard(world, actor_key="regulator", enterprise_key="ent_b2", grade=HazardGrade.MAJOR,
                               source=HazardSource.GOVERNMENT)
    Hazard.objects.filter(pk=closed.pk).update(status=HazardStatus.CLOSED)  # test data: closed within the year
    enterprise_hazard(world, actor_key="regulator", enterprise_key="ent_park", grade=HazardGrade.MAJOR,
                      source=HazardSource.GOVERNMENT)
    old = enterprise_hazard(world, actor_key="regulator", enterprise_key="ent_park", source=HazardSource.PUBLIC_REPORT)
    Hazard.objects.filter(pk=old.pk).update(found_at=timezone.now() - dt.timedelta(days=400))
    team = roster(world, 5, prefix="快照")
    now = timezone.now()
    _inspect(world, ents["ent_a1"], [team[3], team[1]], status=InspectionStatus.CLOSED, started=now - dt.timedelta(days=9))
    _inspect(world, ents["ent_a1"], [team[2], team[4]], status=InspectionStatus.RECORDED, started=now - dt.timedelta(days=3))
    _inspect(world, ents["ent_a1"], [team[0], team[1]], status=InspectionStatus.PLANNED, started=None)
    _inspect(world, ents["ent_b1"], [team[0], team[4], team[2]], status=InspectionStatus.ONSITE, started=None)
    _inspect(world, ents["ent_b1"], [team[1], team[3]], status=InspectionStatus.CLOSED, started=now - dt.timedelta(days=1))
    _inspect(world, ents["ent_park"], [team[3], team[2]], status=InspectionStatus.CLOSED, started=now - dt.timedelta(days=2))
    EnterpriseDomain.objects.get_or_create(enterprise=ents["ent_b2"], domain=Domain.objects.get(code="D12"))
    place = Jurisdiction.objects.get(name="山枣镇")
    checks_services.premises_create(actor=regulator, name="山枣镇烟花爆竹零售点", address="山枣镇集镇", jurisdiction=place,
                             domain=Domain.objects.get(code="D1"))
    _more_enterprises(3, Unit.objects.get(name="市应急管理局"))  # not assessed: class C


def test_snapshot_is_byte_identical_to_the_per_batch_build(world: World) -> None:
    rich_population(world)
    department = Unit.objects.get(name="市应急管理局")
    year = timezone.localdate().year
    shanzao = Jurisdiction.objects.get(name="山枣镇").path
    cases: list[tuple[dict[str, Any], str, Any]] = [
        ({}, "class", None), ({}, "class", world.user("regulator")), ({}, "class_cap", None),
        ({}, "township", world.user("regulator")), ({}, "all", None),
        ({"domain": Domain.objects.get(code="D12").pk}, "class", None), ({"township": shanzao}, "class_cap", None),
        ({"classes": ["a", "b"]}, "class", None), ({"premises": False}, "all", None),
    ]
    classes_seen = set()
    for filters, stratify, viewer in cases:
        old = reference_snapshot(department=department, filters=filters, cap=2, year=year, stratify=stratify,
                                 viewer=viewer)
        new = services.population_snapshot(department=department, filters=filters, cap=2, year=year,
                                           stratify=stratify, viewer=viewer)
        assert algorithm.canonical(new) == algorithm.canonical(old), (filters, stratify)
        classes_seen |= {row["class"] for row in new}
    # The fixture reaches every branch the rows can take (else the comparison proves little).
    assert {"a", "b", "c", "d", ""} <= classes_seen
    rows = {row["id"]: row for row in services.population_snapshot(department=department, filters={}, cap=2,
                                                                     year=year, stratify="class_cap")}
    a1, b1 = rows[f"e{world.enterprises['ent_a1'].pk}"], rows[f"e{world.enterprises['ent_b1'].pk}"]
    assert a1["last_inspectors"] and a1["cap_left"] == 0
    assert b1["complaints"] == 2 and b1["violations"] == 1
    # An inspection on site without a start time sorts after every started one on every database (explicit
    # NULLS LAST; PostgreSQL alone would put it first): b1's last inspection is the closed one, started yesterday.
    team = {i.name: f"i{i.pk}" for i in Inspector.objects.filter(name__startswith="快照")}
    assert b1["last_inspectors"] == [team["快照检查员1"], team["快照检查员3"]]
    facts = services.directory_facts([world.enterprises["ent_b1"]], year=year, department=department)
    assert facts[world.enterprises["ent_b1"].pk]["last_inspectors"] == b1["last_inspectors"]


def _more_enterprises(count: int, department: Unit) -> None:
    rng = random.Random(count)
    places = list(Jurisdiction.objects.filter(path__startswith=department.jurisdiction_path).exclude(depth=0))
    domains = list(department.domains.all())
    start = Enterprise.objects.count()
    ents = [Enterprise(name=f"快照企业{i:05d}", credit_code=make_credit_code(f"91430381KJ{i:07d}"),
                       jurisdiction=(place := rng.choice(places)), jurisdiction_path=place.path,
                       search_text=f"快照企业{i:05d}") for i in range(start, start + count)]
    Enterprise.objects.bulk_create(ents)
    EnterpriseDomain.objects.bulk_create([EnterpriseDomain(enterprise=e, domain=rng.choice(domains)) for e in ents])


@pytest.mark.parametrize("extra", [0, 60])
def test_snapshot_issues_a_fixed_number_of_queries(world: World, extra: int,
                                                   django_assert_max_num_queries: Any,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(services, "SNAPSHOT_BATCH", 16)  # several chunks of rows: the count must not follow them
    rich_population(world)
    department = Unit.objects.get(name="市应急管理局")
    _more_enterprises(extra, department)
    viewer = world.user("regulator")
    # 15: the 13 of the snapshot and the class rule, and 2 for the credit classes the class rule now reads
    # (credit.selectors.classes_for_ids: live event sums, live 黑名单 entries) — still fixed, whatever the size.
    with django_assert_max_num_queries(15):
        population = services.population_snapshot(department=department, filters={}, cap=2,
                                                  year=timezone.localdate().year, stratify="class_cap",
                                                  viewer=viewer)
    assert len(population) >= 5 + extra
