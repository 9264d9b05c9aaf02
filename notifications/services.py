"""Sending notifications: in-app rows, plus an e-mail copy when ``ANZHI_EMAIL_NOTIFICATIONS`` is on."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping
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
from core.formats import cn_date
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


# -- daily digests ----------------------------------------------------------------------------------------
DIGEST_BATCH = 1000


def digest_key(kind: str, day: dt.date) -> str:
    return f"digest:{kind}:{day.isoformat()}"


def _digest_text(kind: str, day: dt.date, total: int, breakdown: Mapping[str, int]) -> tuple[str, str]:
    title = _("%(kind)s汇总（%(d)s）：共 %(n)s 项") % {"kind": Kind(kind).label, "d": cn_date(day), "n": total}
    lines = [_("%(line)s：%(n)s 项") % {"line": line, "n": n} for line, n in sorted(breakdown.items())]
    return title[:200], "；".join(lines) + "。"


@transaction.atomic
def notify_digest(*, day: dt.date, kind: str, counts: Mapping[int, Mapping[str, int]], url: str = "",
                  source_key: str = "", urls: Mapping[int, str] | None = None) -> int:
    """One notification per recipient per day per kind, summarising many items (the sweep's messages).

    ``counts`` maps a recipient's user id to item counts per line (e.g. "事故隐患 · 通报"). A recipient who
    already has today's digest of this kind gets it updated (counts added, unread again, moved to the top)
    instead of a second message. Callers pass active recipients only; ``urls`` gives some recipients another
    link than ``url`` (a page they may open). Returns how many digests were created or updated."""
    if kind not in Kind.values:
        raise ValidationError(_("未知的消息类别：%(k)s") % {"k": kind})
    key = digest_key(kind, day)
    ids = sorted(uid for uid, c in counts.items() if any(c.values()))
    now = timezone.now()
    touched = 0
    for start in range(0, len(ids), DIGEST_BATCH):
        chunk = ids[start:start + DIGEST_BATCH]
        existing = {n.recipient_id: n for n in Notification.objects.select_for_update()
                    .filter(dedupe_key=key, recipient_id__in=chunk)}
        new_rows: list[Notification] = []
        changed: list[Notification] = []
        for uid in chunk:
            row = existing.get(uid)
            breakdown = dict(row.breakdown) if row is not None and isinstance(row.breakdown, dict) else {}
            for line, n in counts[uid].items():
                if n:
                    breakdown[line] = breakdown.get(line, 0) + n
            total = sum(breakdown.values())
            title, body = _digest_text(kind, day, total, breakdown)
            if row is None:
                new_rows.append(Notification(recipient_id=uid, title=title, body=body,
                                             url=((urls or {}).get(uid) or url)[:500], kind=kind,
                                             source_key=source_key[:60], dedupe_key=key, item_count=total,
                                             breakdown=breakdown, created_at=now))
            else:
                row.title, row.body, row.item_count, row.breakdown = title, body, total, breakdown
                row.read_at, row.created_at = None, now
                changed.append(row)
        # ignore_conflicts: a concurrent sweep that created the same digest first wins quietly.
        Notification.objects.bulk_create(new_rows, ignore_conflicts=True)
        Notification.objects.bulk_update(changed, ["title", "body", "item_count", "breakdown", "read_at",
                                                   "created_at"])
        written = list(Notification.objects.filter(dedupe_key=key, recipient_id__in=chunk, created_at=now))
        audit.record_many((("notifications.digest_send", n, {"recipient": n.recipient_id, "kind": kind,
                                                        "item_count": n.item_count, "dedupe_key": key}, "")
                           for n in written), jsonable=True)
        touched += len(written)
        if written and getattr(settings, "ANZHI_EMAIL_NOTIFICATIONS", False):
            pks = [n.pk for n in written]
            transaction.on_commit(lambda pks=pks: _send_emails(pks))
    return touched


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
