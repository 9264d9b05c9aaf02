"""Models that copy a jurisdiction path as a scope key register here, so that moving a
jurisdiction (a township merged into another, say) re-keys every scoped row in one place.
Rows on ``enterprises.models.EnterpriseScoped`` are registered at start-up by the enterprises app."""

from __future__ import annotations

from django.db import models

PATH_MODELS: list[tuple[type[models.Model], str]] = []


def register_path_model(model: type[models.Model], field: str = "jurisdiction_path") -> type[models.Model]:
    if (model, field) not in PATH_MODELS:
        PATH_MODELS.append((model, field))
    return model
