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


# -- the cockpit (领导驾驶舱) -------------------------------------------------------------------------------------
# One page of clickable figures across modules. Each app registers a panel: a function that returns, for a user,
# a title and its figures (or None to stay off that user's cockpit), counted through ``visible_to`` and read from
# the app's maintained rollups or selectors, never a scan of the whole territory. A panel may bring its own
# template (an accident trend table); by default its figures are a row of numbers, each a link to the list it
# counts.


@dataclass(frozen=True)
class Figure:
    label: Any
    value: Any  # a number, or a ready string ("45.3%", "—")
    url: str = ""  # the filtered list that holds exactly what is counted
    tone: str = ""  # "danger" for what needs attention
    key: str = ""  # data-testid suffix


PanelContext = Callable[[Any], dict[str, Any] | None]


@dataclass(frozen=True)
class Panel:
    name: str
    context: PanelContext
    template: str = "core/_cockpit_panel.html"
    order: int = 100
    width: str = "col-12 col-xl-6"


PANELS: dict[str, Panel] = {}


def register_panel(name: str, context: PanelContext, *, template: str = "core/_cockpit_panel.html",
                   order: int = 100, width: str = "col-12 col-xl-6") -> None:
    """A cockpit panel: ``context(user)`` returns ``{"title": …, "figures": [Figure, …], …}`` or None."""
    PANELS[name] = Panel(name, context, template, order, width)


def panels_for(user: Any) -> list[tuple[Panel, dict[str, Any]]]:
    shown = []
    for panel in sorted(PANELS.values(), key=lambda p: (p.order, p.name)):
        context = panel.context(user)
        if context is not None:
            shown.append((panel, context))
    return shown
