from ledgers.models.base import LedgerQuerySet, LedgerRow
from ledgers.models.builtin import (
    Drill,
    DutyRecord,
    EmergencyPlan,
    PermitEvent,
    SafetyCommitment,
    SpecialEquipment,
    Training,
    WorkerCertificate,
    WorkPermit,
)
from ledgers.models.custom import CustomRow, LedgerDefinition

__all__ = ["CustomRow", "Drill", "DutyRecord", "EmergencyPlan", "LedgerDefinition", "LedgerQuerySet", "LedgerRow",
           "PermitEvent", "SafetyCommitment", "SpecialEquipment", "Training", "WorkPermit", "WorkerCertificate"]

from core.registry import register_path_model  # noqa: E402

for _model in (SpecialEquipment, WorkerCertificate, WorkPermit, Training, EmergencyPlan, Drill, SafetyCommitment,
               DutyRecord, CustomRow):
    register_path_model(_model)
