"""Models that copy a jurisdiction path as a scope key register here, so that moving a
jurisdiction (a township merged into another, say) re-keys every scoped row in one place.
Rows on ``enterprises.models.EnterpriseScoped`` are registered at start-up by the enterprises app."""

from __future__ import annotations

from collections.abc import Callable

from django.db import models

PATH_MODELS: list[tuple[type[models.Model], str]] = []


def register_path_model(model: type[models.Model], field: str = "jurisdiction_path") -> type[models.Model]:
    if (model, field) not in PATH_MODELS:
        PATH_MODELS.append((model, field))
    return model


# Copies of a row's scope keys kept elsewhere (an escalation record copies its item's path and domain) follow a bulk
# move: the code that moves rows with a queryset ``update`` (no ``post_save``) calls ``keys_moved`` with the rows it
# moved, in its transaction. A follower is ``follow(model, rows)``.
KEY_FOLLOWERS: list[Callable[[type[models.Model], models.QuerySet], object]] = []


def register_key_follower(follower: Callable[[type[models.Model], models.QuerySet], object]) -> None:
    if follower not in KEY_FOLLOWERS:
        KEY_FOLLOWERS.append(follower)


def keys_moved(model: type[models.Model], rows: models.QuerySet) -> None:
    """``rows`` of ``model`` have new scope keys (path, domain or enterprise): every copy follows them."""
    for follower in KEY_FOLLOWERS:
        follower(model, rows)
