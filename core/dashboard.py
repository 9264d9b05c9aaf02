"""Home-page cards, registered by each app in AppConfig.ready().

A card is a template plus a function that returns its context for a user (or None to hide the card),
so the home page shows each role what concerns it without core knowing any domain model.

Each role reads its own work first: a card may give an order per role (``role_orders``, role code → order); a user
sees it at the smallest order among their roles that name one, else at its ``order``."""

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
    role_orders: tuple[tuple[str, int], ...] = ()

    def order_for(self, roles: frozenset[str] | set[str]) -> int:
        orders = [order for role, order in self.role_orders if role in roles]
        return min(orders) if orders else self.order


CARDS: dict[str, Card] = {}


def register_card(name: str, template: str, context: CardContext, *, order: int = 100,
                  width: str = "col-12 col-lg-6", role_orders: dict[str, int] | None = None) -> None:
    CARDS[name] = Card(name, template, context, order, width, tuple(sorted((role_orders or {}).items())))


def cards_for(user: Any) -> list[tuple[Card, dict[str, Any]]]:
    roles = getattr(user, "role_set", frozenset()) or frozenset()
    shown = []
    for card in sorted(CARDS.values(), key=lambda c: (c.order_for(roles), c.name)):
        context = card.context(user)
        if context is not None:
            shown.append((card, context))
    return shown
