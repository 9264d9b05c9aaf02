"""Home-page card: the accident trend (this year to date against the same months of last year), each figure a link
to the accidents behind it."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from accidents.models import Accident
from accidents.selectors import year_to_date


def accident_card(user: Any) -> dict[str, Any] | None:
    if not user.has_business_role:
        return None
    return {"figures": year_to_date(Accident.objects.visible_to(user), timezone.localdate())}
