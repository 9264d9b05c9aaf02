"""One description per built-in ledger drives its list page, form, export, import and API."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from ledgers.models import (
    Drill,
    DutyRecord,
    EmergencyPlan,
    SafetyCommitment,
    SpecialEquipment,
    Training,
    WorkerCertificate,
    WorkPermit,
)
from ledgers.models.base import LedgerRow


@dataclass(frozen=True)
class LedgerSpec:
    key: str
    model: type[LedgerRow]
    title: Any
    list_fields: tuple[str, ...]
    form_fields: tuple[str, ...]
    search_fields: tuple[str, ...] = ()
    # Fields that identify a row inside one enterprise: a re-import updates the row instead of adding one.
    natural_key: tuple[str, ...] = ()
    date_field: str = ""  # for "latest" and date-range filters
    due_field: str = ""  # the date that lapses, if any
    masked: dict[str, Callable[[Any], str]] = field(default_factory=dict)
    importable: bool = True
    order: int = 100


SPECS: dict[str, LedgerSpec] = {}


def _register(spec: LedgerSpec) -> None:
    SPECS[spec.key] = spec


_register(LedgerSpec(
    "equipment", SpecialEquipment, _("特种设备"),
    ("kind", "name", "location", "registered", "registration_number", "next_inspection", "status"),
    ("kind", "name", "model_spec", "factory_number", "location", "registered", "registration_number",
     "last_inspection", "next_inspection", "status"),
    search_fields=("name", "registration_number", "factory_number", "location"),
    natural_key=("kind", "factory_number", "name"), date_field="next_inspection", due_field="next_inspection",
    order=10))
_register(LedgerSpec(
    "certificates", WorkerCertificate, _("特种作业人员证书"),
    ("person_name", "id_number", "operation_type", "certificate_number", "issued_on", "expires_on"),
    ("person_name", "id_number", "operation_type", "operation_item", "certificate_number", "issuer", "issued_on",
     "expires_on"),
    search_fields=("person_name", "certificate_number"), natural_key=("id_number", "operation_type", "certificate_number"),
    date_field="expires_on", due_field="expires_on", masked={"id_number": lambda r: r.masked_id}, order=20))
_register(LedgerSpec(
    "permits", WorkPermit, _("危险作业票证"),
    ("kind", "number", "location", "starts_at", "ends_at", "status"),
    ("kind", "number", "location", "content", "grade", "workers", "guardian", "hazards", "measures", "starts_at",
     "ends_at"),
    search_fields=("number", "location", "content"), date_field="starts_at", due_field="ends_at",
    importable=False, order=30))
_register(LedgerSpec(
    "trainings", Training, _("安全培训"), ("held_on", "title", "kind", "hours", "participants", "trainer"),
    ("title", "kind", "held_on", "hours", "trainer", "participants", "content"),
    search_fields=("title", "trainer"), natural_key=("held_on", "title"), date_field="held_on", order=40))
_register(LedgerSpec(
    "plans", EmergencyPlan, _("应急预案"), ("title", "level", "version", "filing_number", "filed_on", "next_review"),
    ("title", "level", "version", "issued_on", "filing_number", "filed_on", "next_review"),
    search_fields=("title", "filing_number"), natural_key=("title",), date_field="issued_on", due_field="next_review",
    order=50))
_register(LedgerSpec(
    "drills", Drill, _("应急演练"), ("held_on", "title", "kind", "participants"),
    ("title", "plan", "kind", "held_on", "participants", "assessment"),
    search_fields=("title",), natural_key=("held_on", "title"), date_field="held_on", order=60))
_register(LedgerSpec(
    "commitments", SafetyCommitment, _("安全承诺"), ("year", "principal", "signed_on", "public"),
    ("year", "principal", "content", "signed_on", "public"),
    search_fields=("principal",), natural_key=("year",), date_field="signed_on", order=70))
_register(LedgerSpec(
    "duties", DutyRecord, _("十个一次"), ("held_on", "duty", "summary"), ("duty", "held_on", "summary"),
    search_fields=("summary",), natural_key=("duty", "held_on"), date_field="held_on", order=80))


def ordered_specs() -> list[LedgerSpec]:
    return sorted(SPECS.values(), key=lambda s: s.order)


def display(row: Any, name: str, spec: LedgerSpec) -> Any:
    """A cell as shown in lists and exports: choices by label, masked fields masked."""
    if name in spec.masked:
        return spec.masked[name](row)
    f = row._meta.get_field(name)
    if getattr(f, "choices", None):
        return getattr(row, f"get_{name}_display")()
    value = getattr(row, name)
    if isinstance(f, models.ForeignKey):
        return str(value) if value is not None else ""
    return value


def is_date(spec: LedgerSpec, name: str) -> bool:
    f = spec.model._meta.get_field(name)
    return isinstance(f, models.DateField | models.DateTimeField)


def days_left(value: dt.date | dt.datetime | None, today: dt.date) -> int | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        from django.utils import timezone

        value = timezone.localtime(value).date()
    return (value - today).days
