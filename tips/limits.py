"""Abuse control of the public tip page, with no outside service:

- rate limits counted in the database (``RateCount``: one row per key and fixed window, raised with an atomic
  UPDATE, so that every process and thread shares them): per client address (``core.net.client_ip``) for
  submissions and look-ups, and per tracking code for look-ups;
- a challenge the strict CSP allows: an arithmetic question rendered by the server, its answer signed into the
  form (``django.core.signing``, 30 minutes) and each question usable once (its nonce counted like a limit).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from tips.models import RateCount

CHALLENGE_SALT = "tips.challenge"
CHALLENGE_MAX_AGE = 30 * 60


@dataclass(frozen=True)
class Limit:
    name: str
    count: int
    seconds: int


def limits() -> dict[str, Limit]:
    return {
        "submit": Limit("submit", settings.ANZHI_TIPS_SUBMIT_PER_HOUR, 3600),
        "submit_day": Limit("submit_day", settings.ANZHI_TIPS_SUBMIT_PER_DAY, 86400),
        "lookup": Limit("lookup", settings.ANZHI_TIPS_LOOKUP_PER_HOUR, 3600),
        "code": Limit("code", settings.ANZHI_TIPS_CODE_LOOKUP_PER_HOUR, 3600),
        "nonce": Limit("nonce", 1, CHALLENGE_MAX_AGE * 2),
    }


def _window(now: dt.datetime, seconds: int) -> dt.datetime:
    epoch = int(now.timestamp())
    return dt.datetime.fromtimestamp(epoch - epoch % seconds, tz=dt.UTC)


def _key(limit: Limit, subject: str) -> str:
    # Addresses and codes are hashed: the table holds no personal data in clear.
    digest = hashlib.sha256(f"{settings.SECRET_KEY}|{subject}".encode()).hexdigest()[:40]
    return f"{limit.name}:{digest}"


def hit(limit: Limit, subject: str | None, *, now: dt.datetime | None = None) -> bool:
    """Count one attempt of ``subject`` against ``limit``; False when it is over the limit (refused)."""
    if not subject:
        subject = "-"
    now = now or timezone.now()
    key, window = _key(limit, subject), _window(now, limit.seconds)
    with transaction.atomic():
        updated = RateCount.objects.filter(key=key, window=window).update(count=F("count") + 1)
        if not updated:
            try:
                with transaction.atomic():
                    RateCount.objects.create(key=key, window=window, count=1)
            except IntegrityError:  # another process created the row first
                RateCount.objects.filter(key=key, window=window).update(count=F("count") + 1)
        count = RateCount.objects.filter(key=key, window=window).values_list("count", flat=True).first() or 0
    return count <= limit.count


def used(limit: Limit, subject: str | None, *, now: dt.datetime | None = None) -> int:
    now = now or timezone.now()
    return (RateCount.objects.filter(key=_key(limit, subject or "-"), window=_window(now, limit.seconds))
            .values_list("count", flat=True).first() or 0)


def prune(*, now: dt.datetime | None = None) -> int:
    """Remove windows older than the longest limit."""
    now = now or timezone.now()
    longest = max(limit.seconds for limit in limits().values())
    deleted, _ = RateCount.objects.filter(window__lt=now - dt.timedelta(seconds=2 * longest)).delete()
    return deleted


# -- the challenge ------------------------------------------------------------------------------------------

def challenge() -> tuple[str, str]:
    """(question, token): a sum of two small numbers, and the signed answer with a one-use nonce."""
    a, b = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
    token = signing.dumps({"s": a + b, "n": secrets.token_hex(8)}, salt=CHALLENGE_SALT, compress=True)
    return f"{a} + {b} = ?", token


def challenge_passed(token: str, answer: str) -> bool:
    try:
        data = signing.loads(token or "", salt=CHALLENGE_SALT, max_age=CHALLENGE_MAX_AGE)
    except signing.BadSignature:
        return False
    try:
        right = int((answer or "").strip()) == int(data["s"])
    except (ValueError, TypeError, KeyError):
        return False
    # Each question is answered once: a replayed token counts as used.
    return right and hit(limits()["nonce"], str(data.get("n")))
