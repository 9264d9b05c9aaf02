"""Every row that belongs to an enterprise sits on the one base (``enterprises.models.EnterpriseScoped``): the
copied keys, the one scope rule, the scoped manager, path-model registration, and it follows its enterprise to
another jurisdiction."""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps
from django.db import models

from core.registry import PATH_MODELS
from core.scoping import ScopedQuerySet
from enterprises import services as enterprise_services
from enterprises.credit_code import make_credit_code
from enterprises.models import Enterprise, EnterpriseScoped
from hazards.choices import Source
from hazards.models import Hazard
from hazards.services import hazard_register
from ledgers import custom
from ledgers import services as ledger_services
from ledgers.models import SpecialEquipment
from orgs.models import Domain, Jurisdiction
from orgs.services import jurisdiction_save
from risk import services as risk_services
from risk.tests.factories import make_point
from tests.personas import World

pytestmark = pytest.mark.django_db

# Models that carry an enterprise and a copied path without being enterprise rows, and why.
NOT_ENTERPRISE_ROWS = {
    Hazard: "placeless hazards have no enterprise; a hazard keeps its own jurisdiction and single domain",
}


def _not_enterprise_rows() -> dict[type[models.Model], str]:
    from accidents.models import Accident
    from enforcement.models import Inspection
    from tips.models import Tip

    return {**NOT_ENTERPRISE_ROWS,
            Inspection: "an inspection of a non-registered premises has no enterprise; an "
                        "inspection keeps its own path (and follows its enterprise)",
            Accident: "an accident on a road or in a public place has no enterprise; an accident keeps its own "
                      "jurisdiction and path like a hazard (and follows its enterprise)",
            Tip: "a tip is filed where the reporter saw the danger, often with no registered enterprise; it keeps "
                 "the territory it was reported in (the enterprise named is a lead for the handler)"}


def _enterprise_rows() -> list[type[models.Model]]:
    return [m for m in apps.get_models() if issubclass(m, EnterpriseScoped)]


def test_every_row_with_an_enterprise_and_a_copied_path_is_on_the_base() -> None:
    for model in apps.get_models():
        names = {f.name for f in model._meta.concrete_fields}
        enterprise = model._meta.get_field("enterprise") if "enterprise" in names else None
        if enterprise is None or enterprise.related_model is not Enterprise or "jurisdiction_path" not in names:
            continue
        assert issubclass(model, EnterpriseScoped) or model in _not_enterprise_rows(), model


def test_every_enterprise_row_is_scoped_registered_and_reaches_its_enterprise() -> None:
    registered = {m for m, _f in PATH_MODELS}
    rows = _enterprise_rows()
    assert len(rows) >= 18
    for model in rows:
        assert model in registered, model
        assert isinstance(model._default_manager.all(), ScopedQuerySet), model
        # The lookup resolves to the enterprise (the query compiles without touching the database).
        str(model._default_manager.filter(**{model.enterprise_lookup: 1}).query)


def _fill(enterprise: Enterprise, world: World) -> None:
    """One row of each kind the services make, the risk point's dependants included."""
    today = dt.date.today()
    enterprise_services.licence_create(actor=None, enterprise=enterprise, kind="safety", number="搬迁-001",
                                       valid_until=today + dt.timedelta(days=30))
    ledger_services.row_create(actor=None, model=SpecialEquipment, enterprise=enterprise, kind="crane",
                               name="桥式起重机", next_inspection=today + dt.timedelta(days=30))
    definition = custom.definition_save(actor=None, definition=None, enterprises=[enterprise], jurisdictions=[],
                                        name="搬迁测试台账", target="enterprise", domain=None,
                                        columns=custom.parse_columns("名称|文本|必填"), remind_days=30, active=True)
    custom.custom_row_save(actor=None, definition=definition, enterprise=enterprise, values={"c1": "一号"})
    point = make_point(enterprise, "orange")  # with its assessment and a control measure
    risk_services.class_override(actor=world.user("office"), enterprise=enterprise, klass="a", reason="搬迁测试理由")
    risk_services.meeting_record(actor=None, enterprise=enterprise, date=today, team="甲班", host="张三",
                                 attendees="张三、李四", task="检修", risks="高处坠落", measures="系安全带")
    risk_services.report_submit(actor=None, enterprise=enterprise)
    hazard = hazard_register(actor=world.user("township_a"), enterprise=enterprise, description="护栏缺失",
                             source=Source.GOVERNMENT, domain=Domain.objects.get(code="D12"))
    risk_services.hazard_link(actor=None, risk_point=point, hazard=hazard)


def _following(enterprise: Enterprise) -> list[tuple[type[models.Model], models.QuerySet]]:
    out = []
    for model, _field in PATH_MODELS:
        lookup = getattr(model, "enterprise_lookup", None)
        if lookup is not None:
            out.append((model, model._default_manager.filter(**{lookup: enterprise})))
    return out


def test_rows_follow_an_enterprise_that_moves_to_another_jurisdiction(world: World) -> None:
    a, b = Jurisdiction.objects.get(name="东山街道"), Jurisdiction.objects.get(name="山枣镇")
    ent = enterprise_services.enterprise_create(
        actor=None, name="搬迁测试有限公司", credit_code=make_credit_code("91430381MW0000001"), jurisdiction=a,
        domains=list(Domain.objects.filter(code="D12")))
    _fill(ent, world)
    rows = _following(ent)
    made = {model for model, qs in rows if qs.exists()}
    # Assessments, measures and hazard links reach the enterprise through their risk point: they must follow too.
    assert {"RiskAssessment", "ControlMeasure", "RiskPointHazard", "CustomRow", "Licence", "Hazard"} <= {
        m.__name__ for m in made}
    for model, qs in rows:
        assert qs.count() == model.objects.visible_to(world.user("township_a")).filter(pk__in=qs.values("pk")).count()

    enterprise_services.enterprise_update(actor=world.user("office"), enterprise=ent, jurisdiction=b)

    ent.refresh_from_db()
    for model, qs in rows:
        assert set(qs.values_list("jurisdiction_path", flat=True)) <= {ent.jurisdiction_path}, model
        if "jurisdiction_id" in {f.attname for f in model._meta.concrete_fields}:
            assert set(qs.values_list("jurisdiction_id", flat=True)) <= {b.pk}, model
        assert not model.objects.visible_to(world.user("township_a")).filter(pk__in=qs.values("pk")).exists(), model
        assert model.objects.visible_to(world.user("township_b")).filter(pk__in=qs.values("pk")).count() == qs.count()


def test_rows_follow_a_jurisdiction_that_moves(world: World) -> None:
    """A village moved under another township: its enterprises' rows are re-keyed with it (path models)."""
    village = Jurisdiction.objects.get(name="东山社区")
    ent = enterprise_services.enterprise_create(
        actor=None, name="社区搬迁测试公司", credit_code=make_credit_code("91430381MW0000002"), jurisdiction=village,
        domains=list(Domain.objects.filter(code="D12")))
    _fill(ent, world)
    jurisdiction_save(actor=None, code=village.code, name=village.name, level=village.level,
                      parent=Jurisdiction.objects.get(name="山枣镇"), synthetic=village.synthetic, sort=village.sort)
    village.refresh_from_db()
    assert village.path.startswith(Jurisdiction.objects.get(name="山枣镇").path)
    for model, qs in _following(ent):
        assert set(qs.values_list("jurisdiction_path", flat=True)) <= {village.path}, model
        assert model.objects.visible_to(world.user("township_b")).filter(pk__in=qs.values("pk")).count() == qs.count()
