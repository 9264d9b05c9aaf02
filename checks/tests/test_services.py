"""The checks services: the library loader, runs → hazards / 立查立改, idempotent posting, 待核 items, risk measures →
plans, government checks of premises, due checks."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from checks import services
from checks.choices import CheckerLevel, Disposal, Frequency, ListKind, Outcome, RunStatus
from checks.loaders import data_files, load_checklists
from checks.models import CheckItem, Checklist, CheckPlan, CheckRun, DueCheck, ItemResult, OnSpotFix
from checks.tests.factories import fail, new_uuid, own_list, seed_list, shop, standard
from core.models import ChangeEvent
from hazards.choices import Source, Status
from hazards.models import Hazard
from hazards.tests.factories import photo
from risk.models import RiskPointHazard
from risk.tests.factories import make_point
from tests.personas import World

pytestmark = pytest.mark.django_db


def _expected() -> tuple[int, int, int, int]:
    lists = items = to_verify = criteria = 0
    for path in data_files():
        doc = json.loads(path.read_text(encoding="utf-8"))
        lists += 1
        items += len(doc["items"])
        to_verify += sum(1 for i in doc["items"] if i["evidence"] == "M" or i.get("clause_verified") is False)
        criteria += sum(1 for i in doc["items"] if i.get("major_hazard_criterion"))
    return lists, items, to_verify, criteria


def test_the_library_loads_every_data_file_with_counts_from_the_files_and_again_changes_nothing() -> None:
    counts, lines = load_checklists()
    lists, items, to_verify, criteria = _expected()
    # The numbers of checks/data/README.md: 12 seed lists (79 items) + 7 standard files (154 items).
    assert (lists, items) == (19, 233)
    assert (counts.lists, counts.items, counts.items_created) == (19, 233, 233)
    assert counts.to_verify == to_verify and counts.criteria == criteria == 140
    assert Checklist.objects.filter(kind=ListKind.SEED).count() == 12
    assert CheckItem.objects.filter(checklist__kind=ListKind.SEED).count() == 79
    assert CheckItem.objects.filter(checklist__kind=ListKind.NATIONAL).count() == 154
    events = ChangeEvent.objects.count()
    again, _lines = load_checklists()
    assert (again.lists_created, again.items_created) == (0, 0)
    assert ChangeEvent.objects.count() == events
    assert "233" in lines[-1]


def test_a_failed_item_becomes_one_hazard_found_by_the_enterprise_linked_to_the_run(world: World) -> None:
    checklist = own_list(world)
    items = list(checklist.items.order_by("position"))
    worker = world.user("enterprise_a")
    run, created = services.run_record(actor=worker, uuid=new_uuid(), checklist=checklist,
                                       enterprise=world.enterprises["ent_a1"], results=[fail(items[1], note="防护罩缺失")],
                                       place="一号车间")
    assert created and run.status == RunStatus.SUBMITTED
    assert (run.items_total, run.items_failed, run.hazards_created, run.fixed_on_spot) == (3, 1, 1, 0)
    result = ItemResult.objects.get(run=run)
    hazard = result.hazard
    assert hazard.source == Source.SELF_CHECK and hazard.enterprise == world.enterprises["ent_a1"]
    assert hazard.place == "一号车间" and "防护罩缺失" in hazard.description
    assert "检查项2" in hazard.criterion and hazard.criterion_ref.endswith("第2项")
    assert hazard.check_result.run == run
    # Passes are implied by the run and the checklist version: only the failure is stored.
    assert ItemResult.objects.filter(run=run).count() == 1
    assert ChangeEvent.objects.for_object(run).filter(action="checks.run_submit").count() == 1
    from core.uploads import attachments_for

    assert attachments_for(hazard).count() == 1 and attachments_for(run).count() == 1


def test_a_repost_of_a_submitted_run_returns_it_and_writes_nothing(world: World) -> None:
    checklist = own_list(world)
    item = checklist.items.first()
    worker = world.user("enterprise_a")
    key = new_uuid()
    kwargs = {"actor": worker, "uuid": key, "checklist": checklist, "enterprise": world.enterprises["ent_a1"]}
    run, created = services.run_record(results=[fail(item)], **kwargs)
    hazards = Hazard.objects.count()
    again, created_again = services.run_record(results=[fail(item)], **kwargs)
    assert created and not created_again and again.pk == run.pk
    assert Hazard.objects.count() == hazards and CheckRun.objects.count() == 1
    with pytest.raises(ValidationError):  # someone else's identifier
        services.run_record(actor=world.user("township_a"), uuid=key, checklist=checklist,
                            enterprise=world.enterprises["ent_a1"])


def test_on_the_spot_fix_is_a_record_not_a_hazard_and_needs_a_photo(world: World) -> None:
    checklist = own_list(world)
    item = checklist.items.first()
    worker = world.user("enterprise_a")
    with pytest.raises(ValidationError):
        services.run_record(actor=worker, uuid=new_uuid(), checklist=checklist, enterprise=world.enterprises["ent_a1"],
                            results=[services.ResultInput(item=item.pk, outcome="fail", disposal="on_spot",
                                                          fix_action="清理通道")])
    run, _ = services.run_record(
        actor=worker, uuid=new_uuid(), checklist=checklist, enterprise=world.enterprises["ent_a1"],
        results=[services.ResultInput(item=item.pk, outcome="fail", disposal="on_spot", fix_action="清理通道",
                                      fix_photos=[photo()])])
    assert (run.items_failed, run.hazards_created, run.fixed_on_spot) == (1, 0, 1)
    assert OnSpotFix.objects.get(run=run).action == "清理通道"
    assert not Hazard.objects.exists()


def test_a_verified_major_criterion_proposes_major_and_cites_the_clause_a_pending_one_does_not(world: World) -> None:
    gongmao = standard("gongmao-major-hazard", "2023")
    verified = gongmao.items.get(clause="第三条（二）")
    pending = gongmao.items.get(clause="第九条（一）")  # evidence M
    inferred = gongmao.items.get(clause="第五条（四）")  # clause number inferred
    assert verified.proposes_major and pending.to_verify and inferred.to_verify
    assert not pending.proposes_major and not inferred.proposes_major
    worker = world.user("enterprise_a")
    with pytest.raises(ValidationError):  # a major-hazard criterion is never fixed on the spot
        services.run_record(actor=worker, uuid=new_uuid(), checklist=gongmao, enterprise=world.enterprises["ent_a1"],
                            results=[services.ResultInput(item=verified.pk, outcome="fail", disposal="on_spot",
                                                          fix_action="x", fix_photos=[photo()])])
    run, _ = services.run_record(actor=worker, uuid=new_uuid(), checklist=gongmao,
                                 enterprise=world.enterprises["ent_a1"], results=[fail(verified), fail(pending)])
    by_item = {r.item_id: r for r in run.results.select_related("hazard")}
    assert by_item[verified.pk].proposed_major and "建议判定为重大事故隐患" in by_item[verified.pk].hazard.criterion
    assert "应急管理部令第10号 第三条（二）" == by_item[verified.pk].hazard.criterion_ref
    assert not by_item[pending.pk].proposed_major and "待核" in by_item[pending.pk].hazard.criterion
    # Nobody's grade is decided by a check: the proposal is for 定级.
    assert all(r.hazard.grade is None and r.hazard.status == Status.REGISTERED for r in by_item.values())
    with pytest.raises(PermissionDenied):
        services.item_verify(actor=world.user("regulator"), item=pending)
    services.item_verify(actor=world.user("office"), item=pending)
    pending.refresh_from_db()
    assert pending.proposes_major


def test_a_value_item_fails_outside_its_limits_and_passes_on_the_bounds(world: World) -> None:
    shop_list = seed_list("xiangxiang-2020-d3-1")
    extinguishers = shop_list.items.get(position=4)  # at least 2
    assert extinguishers.min_value == Decimal("2")
    grid = world.user("township_a")
    place = shop(world)
    ok, _ = services.run_record(actor=grid, uuid=new_uuid(), checklist=shop_list, premises=place,
                                results=[services.ResultInput(item=extinguishers.pk, value=Decimal("2"))])
    assert ok.items_failed == 0 and ItemResult.objects.get(run=ok).outcome == Outcome.PASS
    bad, _ = services.run_record(actor=grid, uuid=new_uuid(), checklist=shop_list, premises=place,
                                 results=[services.ResultInput(item=extinguishers.pk, value=Decimal("1"),
                                                               disposal="hazard", photos=[photo()])])
    hazard = ItemResult.objects.get(run=bad).hazard
    assert bad.items_failed == 1 and "实测 1个" in hazard.description
    # A government check of a shop that is no enterprise: a placeless hazard in its township, found by government.
    assert hazard.enterprise is None and hazard.source == Source.GOVERNMENT and "东山路12号" in hazard.place
    assert bad.by_government and hazard.jurisdiction.name == "东山街道"


def test_a_government_check_of_an_enterprise_is_found_by_government(world: World) -> None:
    checklist = own_list(world)
    item = checklist.items.first()
    run, _ = services.run_record(actor=world.user("township_a"), uuid=new_uuid(), checklist=checklist,
                                 enterprise=world.enterprises["ent_a1"], results=[fail(item)])
    hazard = ItemResult.objects.get(run=run).hazard
    assert run.by_government and hazard.source == Source.GOVERNMENT
    from hazards.workflow import found_by_enterprise

    assert not found_by_enterprise(hazard)  # so it is closed by government (the hazards rule)
    with pytest.raises(PermissionDenied):  # out of the township's territory
        services.run_record(actor=world.user("township_b"), uuid=new_uuid(), checklist=checklist,
                            enterprise=world.enterprises["ent_a1"], results=[])
    with pytest.raises(PermissionDenied):  # an enterprise checks only itself
        services.run_record(actor=world.user("enterprise_b"), uuid=new_uuid(), checklist=checklist,
                            enterprise=world.enterprises["ent_a1"], results=[])


def test_risk_measures_become_items_and_plans_at_the_grade_frequency_by_the_measure_level(world: World) -> None:
    from risk import services as risk_services

    enterprise = world.enterprises["ent_a1"]
    point = make_point(enterprise, "red", name="冲压岗位")
    risk_services.measure_add(actor=None, risk_point=point, kind="management", level="workshop",
                              content="车间每日巡查冲压设备", responsible="王五")
    plans = services.risk_plans_sync(actor=world.user("enterprise_a"), risk_point=point)
    assert {(p.checker_level, p.frequency) for p in plans} == {(CheckerLevel.POST, Frequency.SHIFT),
                                                              (CheckerLevel.WORKSHOP, Frequency.SHIFT)}
    post_plan = next(p for p in plans if p.checker_level == CheckerLevel.POST)
    assert [i.text for i in post_plan.checklist.items.all()] == ["冲压岗位设置防护罩"]
    assert post_plan.checklist.items.get().measure is not None
    # Syncing again changes nothing; a changed measure set after a run gives a new version of the list.
    assert services.risk_plans_sync(actor=None, risk_point=point) == plans
    item = post_plan.checklist.items.get()
    run, _ = services.run_record(actor=world.user("enterprise_a"), uuid=new_uuid(), checklist=post_plan.checklist,
                                 plan=post_plan, results=[fail(item)])
    link = RiskPointHazard.objects.get(hazard=ItemResult.objects.get(run=run).hazard)
    assert link.risk_point == point and run.risk_point == point
    risk_services.measure_add(actor=None, risk_point=point, kind="ppe", level="post", content="佩戴防护手套",
                              responsible="张三")
    plans = services.risk_plans_sync(actor=None, risk_point=point)
    post_plan = CheckPlan.objects.get(pk=post_plan.pk)
    assert post_plan.checklist.version == "2" and post_plan.checklist.items.count() == 2
    assert run.checklist.items.count() == 1  # the run's version is untouched
    # The office's rule changes the frequency.
    services.frequency_rule_save(actor=world.user("office"), grade="red", frequency=Frequency.DAILY)
    plans = services.risk_plans_sync(actor=None, risk_point=point)
    assert {p.frequency for p in plans} == {Frequency.DAILY}


def test_due_checks_are_generated_once_and_a_run_fulfils_the_one_of_its_day(world: World) -> None:
    checklist = own_list(world)
    today = timezone.localdate()
    plan = services.plan_create(actor=world.user("enterprise_a"), checklist=checklist, frequency=Frequency.SHIFT,
                                checker_level=CheckerLevel.TEAM, starts_on=today - dt.timedelta(days=2),
                                enterprise=world.enterprises["ent_a1"])
    assert services.generate_due(today=today - dt.timedelta(days=2), days=3) == 9
    assert services.generate_due(today=today - dt.timedelta(days=2), days=3) == 0
    run, _ = services.run_record(actor=world.user("enterprise_a"), uuid=new_uuid(), checklist=checklist, plan=plan)
    done = DueCheck.objects.get(run=run)
    assert done.due_on == today and done.shift == 1 and done.on_time
    late = DueCheck.objects.filter(plan=plan, due_on=today - dt.timedelta(days=1), shift=2).get()
    services.run_record(actor=world.user("enterprise_a"), uuid=new_uuid(), checklist=checklist, plan=plan, due=late)
    late.refresh_from_db()
    assert late.run_id and not late.on_time
    with pytest.raises(ValidationError):
        services.run_record(actor=world.user("enterprise_a"), uuid=new_uuid(), checklist=checklist, plan=plan, due=late)


def test_weekly_and_monthly_periods() -> None:
    assert services.period_of(Frequency.WEEKLY, dt.date(2026, 11, 26)) == (dt.date(2026, 11, 23), dt.date(2026, 11, 29))
    assert services.period_of(Frequency.MONTHLY, dt.date(2026, 2, 10)) == (dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert services.period_of(Frequency.QUARTERLY, dt.date(2026, 11, 26)) == (dt.date(2026, 10, 1),
                                                                              dt.date(2026, 12, 31))


def test_a_used_list_never_changes_and_a_copy_is_the_enterprises_own(world: World) -> None:
    checklist = own_list(world)
    services.run_record(actor=world.user("enterprise_a"), uuid=new_uuid(), checklist=checklist,
                        enterprise=world.enterprises["ent_a1"])
    with pytest.raises(ValidationError):
        services.item_save(actor=world.user("office"), checklist=checklist, text="新增项")
    with pytest.raises(PermissionDenied):
        services.item_save(actor=world.user("regulator"), checklist=seed_list("xiangxiang-2020-d3-1"), text="x")
    copy = services.checklist_copy(actor=world.user("enterprise_a"), source=checklist)
    services.item_save(actor=world.user("enterprise_a"), checklist=copy, text="本企业增补：叉车限速标志")
    assert copy.items.count() == 4 and copy.kind == ListKind.ENTERPRISE
    assert not Checklist.objects.visible_to(world.user("enterprise_b")).filter(pk=copy.pk).exists()
    assert Checklist.objects.visible_to(world.user("enterprise_b")).filter(pk=checklist.pk).exists()


def test_failures_need_a_disposal_and_photo_required_items_a_photo(world: World) -> None:
    shop_list = seed_list("xiangxiang-2020-d3-1")
    alarm_door = shop_list.items.get(position=2)  # photo required
    with pytest.raises(ValidationError) as exc:
        services.run_record(actor=world.user("township_a"), uuid=new_uuid(), checklist=shop_list, premises=shop(world),
                            results=[services.ResultInput(item=alarm_door.pk, outcome="fail", disposal="hazard")])
    assert "须拍照" in str(exc.value)
    with pytest.raises(ValidationError):
        services.run_record(actor=world.user("township_a"), uuid=new_uuid(), checklist=shop_list, premises=shop(world),
                            results=[services.ResultInput(item=alarm_door.pk, outcome="fail")])
    assert not CheckRun.objects.exists()


def test_the_exactly_one_disposal_rule_is_a_database_constraint(world: World) -> None:
    from django.db import IntegrityError, transaction

    checklist = own_list(world)
    run, _ = services.run_record(actor=world.user("enterprise_a"), uuid=new_uuid(), checklist=checklist,
                                 enterprise=world.enterprises["ent_a1"], submit=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        ItemResult.objects.create(run=run, item=checklist.items.first(), outcome=Outcome.FAIL, disposal="")
    with pytest.raises(IntegrityError), transaction.atomic():
        ItemResult.objects.create(run=run, item=checklist.items.first(), outcome=Outcome.PASS,
                                  disposal=Disposal.ON_SPOT)



def test_the_rollup_follows_runs_of_an_enterprise_and_a_premises_and_the_rebuild_repairs_it(world: World) -> None:
    from django.core.management import call_command

    from checks import rollup
    from checks.models import CheckDay

    worker, township = world.user("enterprise_a"), world.user("township_a")
    checklist = own_list(world, items=2)
    enterprise = world.enterprises["ent_a1"]
    plan = services.plan_create(actor=worker, checklist=checklist, frequency=Frequency.DAILY,
                                checker_level=CheckerLevel.TEAM, starts_on=timezone.localdate(), enterprise=enterprise)
    services.generate_due(plans=CheckPlan.objects.filter(pk=plan.pk))
    due = DueCheck.objects.get(plan=plan, due_on=timezone.localdate())
    row = CheckDay.objects.get(enterprise=enterprise, day=due.due_on)
    assert (row.due, row.done, row.runs) == (1, 0, 0)
    services.run_record(actor=worker, uuid=new_uuid(), checklist=checklist, plan=plan,
                        results=[fail(checklist.items.first())])
    row.refresh_from_db()
    assert (row.due, row.done, row.on_time, row.runs, row.runs_finding, row.failures, row.hazards) == (1, 1, 1, 1, 1,
                                                                                                       1, 1)
    place = shop(world)
    shop_list = seed_list("xiangxiang-2020-d3-1")
    services.run_record(actor=township, uuid=new_uuid(), checklist=shop_list, premises=place)
    services.run_record(actor=township, uuid=new_uuid(), checklist=shop_list, premises=place)
    assert CheckDay.objects.get(premises=place).runs == 2
    kept = rollup.snapshot()
    CheckDay.objects.update(runs=99, due=0)
    CheckDay.objects.create(enterprise=world.enterprises["ent_b1"], jurisdiction_id=place.jurisdiction_id,
                            jurisdiction_path=place.jurisdiction_path, domain_id=place.domain_id, day=due.due_on,
                            runs=5)
    call_command("rebuild_check_days", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert rollup.snapshot() == kept
    call_command("rebuild_check_days", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert rollup.snapshot() == kept
    assert ChangeEvent.objects.filter(action="checks.rollup_rebuild").count() == 2
    # Scoped like the rows it counts: another enterprise's user sees none of it.
    assert not CheckDay.objects.visible_to(world.user("enterprise_b")).exists()
