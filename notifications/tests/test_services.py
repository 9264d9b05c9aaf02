from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from accounts import services as account_services
from accounts.choices import Role
from core.models import ChangeEvent
from notifications import selectors
from notifications.models import Notification
from notifications.services import mark_read, notify
from orgs.models import Unit


def test_notify_units_reaches_business_users_of_the_unit_only(world) -> None:  # noqa: ANN001
    unit = Unit.objects.get(name="东山街道")
    # A system account attached to the same unit must not receive business notifications.
    sysadmin = world.user("sysadmin")
    sysadmin.unit = unit
    sysadmin.save(update_fields=["unit"])
    n = notify(title="测试通知", units=[unit])
    assert n == 1
    assert list(Notification.objects.values_list("recipient__username", flat=True)) == ["township_a"]


def test_notify_users_and_units_without_duplicates(world) -> None:  # noqa: ANN001
    unit = Unit.objects.get(name="东山街道")
    n = notify(title="测试", users=[world.users["township_a"], world.users["office"]], units=[unit])
    assert n == 2
    assert Notification.objects.count() == 2


def test_inactive_users_get_nothing(world) -> None:  # noqa: ANN001
    user = world.user("township_b")
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert notify(title="测试", users=[user], units=[Unit.objects.get(name="山枣镇")]) == 0


def test_dedupe_key_skips_recipients_who_have_it(world) -> None:  # noqa: ANN001
    ent = world.enterprises["ent_a1"]
    assert notify(title="到期提醒", users=[world.users["office"]], obj=ent, dedupe_key="k1") == 1
    assert notify(title="到期提醒", users=[world.users["office"]], obj=ent, dedupe_key="k1") == 0
    assert notify(title="到期提醒", users=[world.users["office"], world.users["regulator"]], obj=ent,
                  dedupe_key="k1") == 1
    row = Notification.objects.filter(recipient=world.users["regulator"]).get()
    assert row.object_type == "enterprises.enterprise" and row.object_id == str(ent.pk)


def test_one_audit_event_per_call(world) -> None:  # noqa: ANN001
    before = ChangeEvent.objects.filter(action="notifications.notify").count()
    notify(title="测试", users=[world.users["office"], world.users["regulator"]])
    assert ChangeEvent.objects.filter(action="notifications.notify").count() == before + 1


def test_bad_kind_or_title_refused(world) -> None:  # noqa: ANN001
    with pytest.raises(ValidationError):
        notify(title="x", kind="nonsense", users=[world.users["office"]])
    with pytest.raises(ValidationError):
        notify(title="  ", users=[world.users["office"]])


def test_email_sent_on_commit_when_enabled(world, settings, django_capture_on_commit_callbacks) -> None:  # noqa: ANN001
    settings.ANZHI_EMAIL_NOTIFICATIONS = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    office = world.user("office")
    office.email = "office@example.cn"
    office.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        notify(title="任务逾期", body="请及时处理。", url="/escalation/", users=[office, world.users["regulator"]])
    assert len(mail.outbox) == 1
    msg = mail.outbox[0]
    assert msg.to == ["office@example.cn"] and "任务逾期" in msg.subject and "请及时处理" in msg.body


def test_no_email_when_disabled(world, settings, django_capture_on_commit_callbacks) -> None:  # noqa: ANN001
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    office = world.user("office")
    office.email = "office@example.cn"
    office.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        notify(title="任务逾期", users=[office])
    assert mail.outbox == []


def test_mark_read_only_touches_own(world) -> None:  # noqa: ANN001
    notify(title="一", users=[world.users["office"]])
    notify(title="二", users=[world.users["office"]])
    notify(title="三", users=[world.users["regulator"]])
    office, regulator = world.user("office"), world.user("regulator")
    theirs = Notification.objects.get(recipient=regulator)
    assert mark_read(user=office, notification_ids=[theirs.pk]) == 0
    assert selectors.unread_count(regulator) == 1
    mine = Notification.objects.filter(recipient=office).first()
    assert mark_read(user=office, notification_ids=[mine.pk]) == 1
    assert selectors.unread_count(office) == 1
    assert mark_read(user=office, all=True) == 1
    assert selectors.unread_count(office) == 0


def test_inbox_lists_unread_first(world) -> None:  # noqa: ANN001
    notify(title="旧的未读", users=[world.users["office"]])
    notify(title="新的已读", users=[world.users["office"]])
    office = world.user("office")
    mark_read(user=office, notification_ids=[Notification.objects.get(title="新的已读").pk])
    assert [n.title for n in selectors.inbox(office)] == ["旧的未读", "新的已读"]


def test_new_business_user_of_unit_is_reached(world) -> None:  # noqa: ANN001
    unit = Unit.objects.get(name="山枣镇")
    user = account_services.user_create(actor=None, username="shanzao2", password="Persona#2026x", unit=unit)
    assert notify(title="测试", units=[unit]) == 1  # no role yet
    account_services.role_grant(actor=None, user=user, role=Role.TOWNSHIP)
    assert notify(title="测试", units=[unit]) == 2


def test_digest_is_one_message_per_recipient_kind_and_day_and_adds_up(world) -> None:  # noqa: ANN001
    import datetime as dt

    from notifications.services import notify_digest

    day = dt.date(2024, 2, 21)
    a, b = world.users["township_a"].pk, world.users["office"].pk
    with pytest.raises(ValidationError):
        notify_digest(day=day, kind="nope", counts={a: {"x": 1}})
    assert notify_digest(day=day, kind="escalation", counts={a: {"事故隐患 · 通报": 2}, b: {"事故隐患 · 通报": 1}},
                         url="/escalation/records/?date=2024-02-21") == 2
    assert notify_digest(day=day, kind="escalation", counts={a: {"事故隐患 · 通报": 1, "督办事项 · 提醒": 4}}) == 1
    assert notify_digest(day=day, kind="overdue", counts={a: {"督办事项 · 提醒": 1}, b: {}}) == 1
    mine = Notification.objects.get(recipient_id=a, kind="escalation")
    assert mine.item_count == 7 and mine.breakdown == {"事故隐患 · 通报": 3, "督办事项 · 提醒": 4}
    assert "共 7 项" in mine.title and "督办事项 · 提醒：4 项" in mine.body
    assert Notification.objects.filter(recipient_id__in=[a, b]).count() == 3  # ≤ recipients × kinds
    assert notify_digest(day=day + dt.timedelta(days=1), kind="escalation", counts={a: {"x": 1}}) == 1
    assert Notification.objects.filter(recipient_id=a, kind="escalation").count() == 2  # a new day, a new digest
    assert ChangeEvent.objects.filter(action="notifications.digest_send").count() == 5


def test_digest_links_each_recipient_to_a_page_they_may_open(world) -> None:  # noqa: ANN001
    import datetime as dt

    from notifications.services import notify_digest

    day = dt.date(2024, 2, 21)
    office, company = world.users["office"].pk, world.users["enterprise_a"].pk
    notify_digest(day=day, kind="overdue", counts={office: {"x": 1}, company: {"x": 2}},
                  url="/escalation/records/?date=2024-02-21", urls={company: "/"})
    assert Notification.objects.get(recipient_id=office, kind="overdue").url == "/escalation/records/?date=2024-02-21"
    mine = Notification.objects.get(recipient_id=company, kind="overdue")
    assert mine.url == "/"
    assert "2024年2月21日" in mine.title and "2024-02-21" not in mine.title
