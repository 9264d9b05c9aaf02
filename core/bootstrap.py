"""Idempotent loaders that ``manage.py bootstrap`` runs in order (organisation structure,
calendar, the seed plan, demo data ...). Each app registers its own in AppConfig.ready()."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Loader:
    command: str
    order: int
    demo_only: bool = False
    args: tuple[str, ...] = ()


LOADERS: dict[str, Loader] = {}


def register_loader(command: str, *, order: int, demo_only: bool = False, args: tuple[str, ...] = ()) -> None:
    LOADERS[command] = Loader(command, order, demo_only, args)


def loaders(*, demo: bool) -> list[Loader]:
    return sorted((item for item in LOADERS.values() if demo or not item.demo_only), key=lambda item: item.order)
