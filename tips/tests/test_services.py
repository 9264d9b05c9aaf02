"""Services of the tips app: the public submission, handling, identity, the reward rule and the exposure board."""

from __future__ import annotations

import datetime as dt
import decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from core.models import ChangeEvent
from hazards.choices import Grade, Source
from hazards.models import Hazard
from hazards.tests.factories import png_bytes
from orgs.models import Domain
from tests.personas import World
from tips import services
from tips.choices import TipStatus
from tips.models import RewardBand, Tip, TipIdentity
from tips.tests.factories import NAME, PHONE, submit, to_replied, to_verified
from workdays.services import add_workdays

pytestmark = pytest.mark.django_db

MAJOR = {"report_cause": "液化气钢瓶违规存放", "report_analysis": "可能引发爆炸，需立即清理"}
PNG = png_bytes()  # a well-formed image: tip photos are decoded and re-encoded (metadata dropped)


def test_submit_gives_an_unguessable_code_and_seals_the_identity(world: World) -> None:
    tip = submit(world)
    assert len(tip.code) == 16 and set(tip.code) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
    assert tip.status == TipStatus.RECEIVED
    assert tip.accept_due == add_workdays(timezone.localdate(), services.ACCEPT_DAYS)
    identity = TipIdentity.objects.get(tip=tip)
    assert NAME not in identity.name_sealed and PHONE not in identity.phone_sealed
    assert services.identity_reveal(actor=world.user("office"), tip=tip) == {"name": NAME, "phone": PHONE}
    log = " ".join(str(e.changes) + e.note for e in ChangeEvent.objects.for_object(tip))
    assert NAME not in log and PHONE not in log
    assert submit(world).code != tip.code


def test_submit_strips_markup_and_refuses_bad_input_without_writing(world: World) -> None:
    tip = submit(world, description="<script>alert(1)</script><b>配电箱</b>裸露，电线老化严重，随时可能起火", name="", phone="")
    assert "<" not in tip.description and "配电箱" in tip.description and "alert" not in tip.description
    assert not TipIdentity.objects.filter(tip=tip).exists()
    before = Tip.objects.count()
    for bad in ({"description": "太短"}, {"phone": "not a phone"}, {"jurisdiction": None},
                {"address": "  "}, {"longitude": decimal.Decimal("10"), "latitude": decimal.Decimal("10")},
                {"photos": [SimpleUploadedFile("a.png", b"MZ this is not an image")]},
                {"photos": [SimpleUploadedFile(f"{i}.png", PNG) for i in range(4)]}):
        with pytest.raises(ValidationError):
            submit(world, **bad)
    assert Tip.objects.count() == before


def test_photo_is_checked_and_attached(world: World) -> None:
    from core.uploads import attachments_for

    tip = submit(world, photos=[SimpleUploadedFile("现场.png", PNG)])
    assert attachments_for(tip, "tip").count() == 1


def test_scope_office_township_and_assigned_department(world: World) -> None:
    tip = submit(world)
    seen = {key for key in ("office", "township_a", "township_b", "regulator", "regulator_fire", "inspector",
                            "enterprise_a", "expert") if Tip.objects.visible_to(world.user(key)).filter(pk=tip.pk)}
    assert seen == {"office", "township_a"}
    services.tip_transition(actor=world.user("township_a"), tip=tip, action="assign",
                            assigned_unit=world.user("regulator").unit)
    seen = {key for key in ("office", "township_a", "township_b", "regulator", "regulator_fire", "inspector",
                            "enterprise_a") if Tip.objects.visible_to(world.user(key)).filter(pk=tip.pk)}
    assert seen == {"office", "township_a", "regulator", "inspector"}


def test_township_cannot_handle_another_townships_tip(world: World) -> None:
    tip = submit(world)
    with pytest.raises(PermissionDenied):
        services.tip_transition(actor=world.user("township_b"), tip=tip, action="assign",
                                assigned_unit=world.user("regulator").unit)
    with pytest.raises(ValidationError):  # a township unit elsewhere is not a handler of this place
        services.tip_transition(actor=world.user("office"), tip=tip, action="assign",
                                assigned_unit=world.user("township_b").unit)


def test_identity_only_for_office_and_the_handling_regulators_and_every_showing_logged(world: World) -> None:
    tip = submit(world)
    for key in ("township_a", "regulator", "inspector"):
        with pytest.raises(PermissionDenied):
            services.identity_reveal(actor=world.user(key), tip=tip)
    tip = to_verified(world, tip)
    assert services.identity_reveal(actor=world.user("regulator"), tip=tip)["phone"] == PHONE
    with pytest.raises(PermissionDenied):
        services.identity_reveal(actor=world.user("inspector"), tip=tip)
    services.identity_reveal(actor=world.user("office"), tip=tip)
    shown = ChangeEvent.objects.for_object(tip).filter(action="tips.identity_view")
    assert sorted(e.actor_id for e in shown) == sorted([world.users["regulator"].pk, world.users["office"].pk])


def test_forward_is_recorded_with_the_authority_and_a_reason(world: World) -> None:
    tip = submit(world)
    with pytest.raises(ValidationError):
        services.tip_transition(actor=world.user("township_a"), tip=tip, action="forward", forwarded_to="市场监管局")
    tip = services.tip_transition(actor=world.user("township_a"), tip=tip, action="forward",
                                  forwarded_to="市市场监督管理局", note="属特种设备，移送市场监管部门")
    assert tip.status == TipStatus.FORWARDED and tip.forwarded_to == "市市场监督管理局"
    assert tip.events.filter(action="forward").exists()


def test_true_tip_becomes_a_government_hazard_without_the_reporter(world: World) -> None:
    tip = to_replied(world, submit(world, enterprise=world.enterprises["ent_a1"]))
    hazard = services.tip_register_hazard(actor=world.user("regulator"), tip=tip,
                                          domain=Domain.objects.get(code="D12"), grade=Grade.MAJOR, **MAJOR)
    assert hazard.source == Source.PUBLIC_REPORT and hazard.grade == Grade.MAJOR
    assert hazard.enterprise_id == world.enterprises["ent_a1"].pk
    assert NAME not in hazard.description and hazard.reporter == ""
    with pytest.raises(ValidationError):
        services.tip_register_hazard(actor=world.user("regulator"), tip=tip, domain=Domain.objects.get(code="D12"))


def test_untrue_tip_cannot_become_a_hazard_or_be_rewarded(world: World) -> None:
    tip = to_replied(world, submit(world), confirmed=False)
    with pytest.raises(ValidationError):
        services.tip_register_hazard(actor=world.user("regulator"), tip=tip, domain=Domain.objects.get(code="D12"))
    with pytest.raises(ValidationError):
        services.tip_transition(actor=world.user("office"), tip=tip, action="propose")


def test_reward_by_the_most_specific_band_then_approval_and_payout(world: World) -> None:
    tip = to_replied(world, submit(world, enterprise=world.enterprises["ent_a1"]))
    services.tip_register_hazard(actor=world.user("regulator"), tip=tip, domain=Domain.objects.get(code="D12"),
                                 grade=Grade.MAJOR, **MAJOR)
    tip.refresh_from_db()
    assert services.reward_for(tip)[0] == services.DEFAULT_BANDS[("hazard", "major")]
    office = world.user("office")
    services.reward_band_save(actor=office, kind="", grade="", amount=decimal.Decimal("100"))
    assert services.reward_for(tip)[0] == decimal.Decimal("100")
    services.reward_band_save(actor=office, kind="hazard", grade="major", amount=decimal.Decimal("5000"),
                              basis="县安委办举报奖励办法")
    with pytest.raises(PermissionDenied):
        services.reward_band_save(actor=world.user("township_a"), kind="", grade="", amount=decimal.Decimal("1"))
    tip = services.tip_transition(actor=office, tip=tip, action="propose")
    assert tip.reward_amount == decimal.Decimal("5000") and "县安委办" in tip.reward_basis
    with pytest.raises(PermissionDenied):
        services.tip_transition(actor=world.user("township_a"), tip=tip, action="approve")
    tip = services.tip_transition(actor=office, tip=tip, action="approve")
    with pytest.raises(ValidationError):
        services.tip_transition(actor=office, tip=tip, action="pay", payout_ref="")
    tip = services.tip_transition(actor=office, tip=tip, action="pay", payout_ref="财付2026-001")
    assert tip.status == TipStatus.PAID and tip.paid_at is not None
    assert RewardBand.objects.count() == 2


def test_exposure_publish_masks_personal_data_and_expires(world: World) -> None:
    from tips.exposure import board

    tip = to_replied(world, submit(world))
    office = world.user("office")
    entry = services.exposure_publish(actor=office, tip=tip, title="液化气钢瓶违规存放案",
                                      summary=f"{NAME}（电话{PHONE}）举报，经核查属实。", grounds="安全生产法第三十九条",
                                      expires_on=timezone.localdate() + dt.timedelta(days=30))
    assert NAME not in entry.summary and PHONE not in entry.summary and "139****5678" in entry.summary
    today = timezone.localdate()
    section = dict((s.key, items) for s, items in board(today))
    assert [i.title for i in section["tips.typical"]] == ["液化气钢瓶违规存放案"]
    assert dict((s.key, items) for s, items in board(today + dt.timedelta(days=30)))["tips.typical"] == []
    with pytest.raises(ValidationError):
        services.exposure_publish(actor=office, tip=tip, title="t", summary="s",
                                  expires_on=today + dt.timedelta(days=4 * 365))
    with pytest.raises(PermissionDenied):
        services.exposure_publish(actor=world.user("township_a"), tip=tip, title="t", summary="s")
    services.exposure_withdraw(actor=office, entry=entry, reason="当事人已整改")
    assert dict((s.key, items) for s, items in board(today))["tips.typical"] == []


def test_board_lists_overdue_major_hazards_until_they_are_no_longer_overdue(world: World) -> None:
    from tips.exposure import board

    tip = to_replied(world, submit(world, enterprise=world.enterprises["ent_a1"]))
    hazard = services.tip_register_hazard(actor=world.user("regulator"), tip=tip,
                                          domain=Domain.objects.get(code="D12"), grade=Grade.MAJOR, **MAJOR,
                                          deadline=timezone.localdate() + dt.timedelta(days=5))
    today = timezone.localdate()
    assert not [i for i in dict((s.key, v) for s, v in board(today))["hazards.overdue_major"]
                if hazard.number in i.title]
    later = today + dt.timedelta(days=6)
    items = [i for i in dict((s.key, v) for s, v in board(later))["hazards.overdue_major"] if hazard.number in i.title]
    assert items and items[0].subject == world.enterprises["ent_a1"].name
    Hazard.objects.filter(pk=hazard.pk).update(status="closed")
    assert not [i for i in dict((s.key, v) for s, v in board(later))["hazards.overdue_major"]
                if hazard.number in i.title]


def test_month_figures_count_only_the_scope(world: World) -> None:
    from tips.selectors import month_figures

    submit(world)
    submit(world, place="山枣镇")
    assert month_figures(world.user("township_a"))["received"] == 1
    assert month_figures(world.user("office"))["received"] == 2
    assert month_figures(world.user("enterprise_a"))["received"] == 0


def test_mask_personal() -> None:
    assert services.mask_personal("电话13812345678，身份证430381199001011234") == "电话138****5678，身份证430381********1234"
    assert services.mask_personal("王小明举报", ["王小明"]) == "王某某举报"


def test_code_display_and_normalising() -> None:
    code = services.new_code()
    assert services.normal_code(services.show_code(code).lower()) == code
