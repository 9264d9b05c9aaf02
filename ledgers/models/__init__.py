from ledgers.models.base import LedgerRow
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

__all__ = ["CustomRow", "Drill", "DutyRecord", "EmergencyPlan", "LedgerDefinition", "LedgerRow",
           "PermitEvent", "SafetyCommitment", "SpecialEquipment", "Training", "WorkPermit", "WorkerCertificate"]
