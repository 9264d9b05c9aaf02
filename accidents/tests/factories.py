"""Accidents built through the services, for the tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from accidents import services
from accidents.choices import AccidentType
from accidents.models import Accident
from orgs.models import Domain, Jurisdiction
from tests.personas import World


def moment(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def register(world: World, persona: str = "office", *, enterprise: str | None = "ent_a1",
             occurred_at: dt.datetime | None = None, **values: Any) -> Accident:
    """An accident of a persona enterprise (or, with ``enterprise=None``, a placeless one in 东山街道 / 工贸)."""
    kwargs: dict[str, Any] = {"accident_type": AccidentType.MACHINERY, "summary": "作业人员清理设备时被卷入。"}
    if enterprise:
        kwargs["enterprise"] = world.enterprises[enterprise]
    else:
        kwargs.update(jurisdiction=Jurisdiction.objects.get(name="东山街道"), domain=Domain.objects.get(code="D12"),
                      address="东山街道某村民房")
    kwargs.update(values)
    return services.accident_register(actor=world.user(persona), occurred_at=occurred_at or timezone.now(), **kwargs)


def report_pdf(name: str = "调查报告.pdf") -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", content_type="application/pdf")
