from hazards.models.hazard import Hazard, HazardEvent, HazardQuerySet, RectificationPlan
from hazards.models.reports import IdempotencyRecord, StatisticsReport
from hazards.models.supervision import (
    Supervision,
    SupervisionCircular,
    SupervisionRecord,
    SupervisionStep,
    SupervisionTemplate,
)
from hazards.models.tally import HazardDue, HazardTally

__all__ = ["Hazard", "HazardDue", "HazardEvent", "HazardQuerySet", "HazardTally", "IdempotencyRecord", "RectificationPlan", "StatisticsReport",
           "Supervision", "SupervisionCircular", "SupervisionRecord", "SupervisionStep", "SupervisionTemplate"]
