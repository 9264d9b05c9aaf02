"""Home-page cards, registered by each app in AppConfig.ready().

A card is a template plus a function that returns its context for a user (or None to hide the card),
so the home page shows each role what concerns it without core knowing any domain model."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

CardContext = Callable[[Any], dict[str, Any] | None]


@dataclass(frozen=True)
class Card:
    name: str
    template: str
    context: CardContext
    order: int = 100
    width: str = "col-12 col-lg-6"  # the grid columns the card takes on the home page


CARDS: dict[str, Card] = {}


def register_card(name: str, template: str, context: CardContext, *, order: int = 100,
                  width: str = "col-12 col-lg-6") -> None:
    CARDS[name] = Card(name, template, context, order, width)


def cards_for(user: Any) -> list[tuple[Card, dict[str, Any]]]:
    shown = []
    for card in sorted(CARDS.values(), key=lambda c: (c.order, c.name)):
        context = card.context(user)
        if context is not None:
            shown.append((card, context))
    return shown
