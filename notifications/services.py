"""Sending notifications: in-app rows, plus an e-mail copy when ``ANZHI_EMAIL_NOTIFICATIONS`` is on."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import get_connection, send_mass_mail
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import BUSINESS_ROLES
from accounts.models import User
from core import audit
from notifications.choices import Kind
from notifications.models import Notification

logger = logging.getLogger("anzhi.notifications")


def recipients_for(*, users: Iterable[Any] = (), units: Iterable[Any] = ()) -> list[int]:
    """User ids: the given users (if active) plus the active business users of the given units."""
    user_ids = {u.pk for u in users if u is not None and u.pk is not None}
    unit_ids = {u.pk for u in units if u is not None and u.pk is not None}
    q = models.Q(pk__in=user_ids)
    if unit_ids:
        q |= models.Q(unit_id__in=unit_ids, role_grants__role__in=BUSINESS_ROLES)
    if not user_ids and not unit_ids:
        return []
    return sorted(set(User.objects.filter(q, is_active=True).values_list("pk", flat=True)))


def _send_emails(notification_ids: list[int]) -> None:
    rows = (Notification.objects.filter(pk__in=notification_ids).exclude(recipient__email="")
            .select_related("recipient"))
    base = getattr(settings, "ANZHI_SITE_URL", "").rstrip("/")
    messages = []
    for n in rows:
        lines = [f"{n.recipient.full_name or n.recipient.username}：", "", n.body or n.title]
        if n.url:
            lines += ["", _("查看详情：%(u)s") % {"u": f"{base}{n.url}" if n.url.startswith("/") else n.url}]
        lines += ["", _("—— 安治安全生产治理平台（系统自动发送，请勿回复）")]
        messages.append((f"【安治】{n.title}", "\n".join(lines), settings.DEFAULT_FROM_EMAIL, [n.recipient.email]))
    if not messages:
        return
    try:
        send_mass_mail(tuple(messages), fail_silently=False, connection=get_connection())
    except Exception:  # a mail server outage must not break the business write that caused it
        logger.exception("sending %d notification e-mails failed", len(messages))


@transaction.atomic
def notify(
    *,
    title: str,
    body: str = "",
    url: str = "",
    kind: str = Kind.INFO,
    users: Iterable[Any] = (),
    units: Iterable[Any] = (),
    obj: models.Model | None = None,
    dedupe_key: str = "",
    source_key: str = "",
) -> int:
    """Create one notification per recipient; returns how many were created.

    Recipients are ``users`` plus the active users of ``units`` holding a business role (system
    accounts never get business notifications). A recipient who already has ``dedupe_key`` is
    skipped, so callers such as the sweep may call again safely."""
    if kind not in Kind.values:
        raise ValidationError(_("未知的消息类别：%(k)s") % {"k": kind})
    title = (title or "").strip()[:200]
    if not title:
        raise ValidationError(_("消息标题不能为空。"))
    ids = recipients_for(users=users, units=units)
    if dedupe_key and ids:
        already = set(Notification.objects.filter(dedupe_key=dedupe_key, recipient_id__in=ids)
                      .values_list("recipient_id", flat=True))
        ids = [i for i in ids if i not in already]
    if not ids:
        return 0
    now = timezone.now()
    object_type = audit.object_label(obj) if obj is not None else ""
    object_id = str(obj.pk) if obj is not None else ""
    rows = [Notification(recipient_id=i, title=title, body=body, url=url[:500], kind=kind, source_key=source_key[:60],
                         object_type=object_type, object_id=object_id, dedupe_key=dedupe_key[:200], created_at=now)
            for i in ids]
    # ignore_conflicts: a concurrent run that already sent the same dedupe_key wins quietly.
    Notification.objects.bulk_create(rows, ignore_conflicts=bool(dedupe_key))
    audit.record(action="notifications.notify", obj=obj,
                 object_type=None if obj is not None else "notifications.notification",
                 object_repr=title if obj is None else None,
                 changes={"title": title, "kind": kind, "recipients": ids, "dedupe_key": dedupe_key},
                 note=_("发送消息给 %(n)s 人") % {"n": len(ids)})
    if getattr(settings, "ANZHI_EMAIL_NOTIFICATIONS", False):
        created_ids = list(Notification.objects.filter(recipient_id__in=ids, created_at=now, title=title)
                           .values_list("pk", flat=True))
        transaction.on_commit(lambda: _send_emails(created_ids))
    return len(ids)


def mark_read(*, user: Any, notification_ids: Iterable[int] | None = None, all: bool = False) -> int:  # noqa: A002
    """Mark the user's own notifications read; returns how many changed.

    Reading one's inbox is personal state, not a business change: it is not written to the audit log."""
    qs = Notification.objects.visible_to(user).unread()
    if not all:
        ids = [int(i) for i in (notification_ids or [])]
        if not ids:
            return 0
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())
