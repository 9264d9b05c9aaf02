from hazards.models.hazard import Hazard, HazardEvent, HazardQuerySet, RectificationPlan
from hazards.models.reports import IdempotencyRecord, StatisticsReport
from hazards.models.supervision import (
    Supervision,
    SupervisionCircular,
    SupervisionRecord,
    SupervisionStep,
    SupervisionTemplate,
)

__all__ = ["Hazard", "HazardEvent", "HazardQuerySet", "IdempotencyRecord", "RectificationPlan", "StatisticsReport",
           "Supervision", "SupervisionCircular", "SupervisionRecord", "SupervisionStep", "SupervisionTemplate"]
