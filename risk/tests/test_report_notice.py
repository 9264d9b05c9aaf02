"""A submitted risk list is a hand-over (issue 14 item 2): the departments regulating the enterprise's domains and
the township over its place hear of it, nobody else, and a rolled-back submission notifies nobody."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from core.audit import Source, audit_context
from notifications.models import Notification
from risk import services
from risk.tests.factories import make_point
from tests.personas import World


def _recipients(title_part: str) -> set[str]:
    return set(Notification.objects.filter(title__contains=title_part).values_list("recipient__username", flat=True))


def test_the_regulators_and_the_township_hear_of_a_submitted_list(world: World, django_capture_on_commit_callbacks) -> None:
    ent = world.enterprises["ent_a1"]  # 东山街道, 工贸 (D12): 市应急管理局 regulates it
    with audit_context(source=Source.WEB, actor=world.user("enterprise_a")):
        make_point(ent, "orange", name="行车吊装岗")
        with django_capture_on_commit_callbacks(execute=True):
            services.report_submit(actor=world.user("enterprise_a"), enterprise=ent)
    got = _recipients("待签收风险清单：东山测试钢铁有限公司")
    assert {"regulator", "inspector", "township_a"} <= got
    assert not got & {"township_b", "regulator_fire", "enterprise_a", "enterprise_b", "sysadmin"}
    message = Notification.objects.filter(recipient__username="regulator", title__contains="待签收风险清单").get()
    assert message.url.startswith("/risk/reports/") and "新增 1 个" in message.body


def test_a_refused_submission_notifies_nobody(world: World, django_capture_on_commit_callbacks) -> None:
    ent = world.enterprises["ent_b1"]
    with audit_context(source=Source.WEB, actor=world.user("enterprise_b")), \
            django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        services.report_submit(actor=world.user("enterprise_b"), enterprise=ent)  # empty list
    assert not _recipients("待签收风险清单")
