"""The class rule (credit.rules) as properties, and the database reads agreeing with it."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from credit import rules, selectors
from credit.choices import CreditClass, EventKind
from credit.models import CreditEvent
from credit.rules import EventFacts
from enterprises.models import Enterprise
from tests.personas import World

TODAY = dt.date(2026, 6, 15)

events = st.builds(
    EventFacts, points=st.integers(min_value=-80, max_value=20),
    occurred_on=st.dates(min_value=dt.date(2021, 1, 1), max_value=dt.date(2027, 1, 1)),
    expires_on=st.dates(min_value=dt.date(2021, 1, 1), max_value=dt.date(2030, 1, 1)),
    revoked=st.booleans(), repaired=st.booleans())


@given(st.lists(events, max_size=30), st.booleans(), st.randoms(use_true_random=False))
@settings(max_examples=200, deadline=None)
def test_the_class_does_not_depend_on_the_order_of_the_events(evs: list[EventFacts], listed: bool,
                                                               rng: random.Random) -> None:
    shuffled = list(evs)
    rng.shuffle(shuffled)
    assert rules.compute_class(evs, TODAY, blacklisted=listed) == rules.compute_class(shuffled, TODAY,
                                                                                       blacklisted=listed)


@given(st.lists(events, max_size=20), st.lists(events, max_size=20), st.booleans())
@settings(max_examples=200, deadline=None)
def test_events_that_do_not_count_never_change_the_class(evs: list[EventFacts], others: list[EventFacts],
                                                         listed: bool) -> None:
    """Expired, not yet occurred, revoked or repaired events never count, whatever their points."""
    dead = [e for e in others if not rules.counts(e, TODAY)]
    assert rules.compute_class(evs + dead, TODAY, blacklisted=listed) == rules.compute_class(evs, TODAY,
                                                                                              blacklisted=listed)
    for e in evs:
        if e.expires_on <= TODAY or e.occurred_on > TODAY or e.revoked or e.repaired:
            assert not rules.counts(e, TODAY)


@given(st.integers(min_value=-500, max_value=500), st.booleans())
def test_score_bounds_describe_the_classes(score: int, listed: bool) -> None:
    klass = rules.class_of_score(score, blacklisted=listed)
    if listed:
        assert klass == CreditClass.D
    low, high = rules.score_bounds(rules.class_of_score(score))
    assert (low is None or score >= low) and (high is None or score <= high)


def test_thresholds_at_their_boundaries() -> None:
    assert [rules.class_of_score(s) for s in (100, 99, 80, 79, 60, 59)] == ["a", "b", "b", "c", "c", "d"]
    assert rules.class_of_score(150, blacklisted=True) == "d"
    assert rules.expires_on(EventKind.PENALTY, dt.date(2024, 2, 29)) == dt.date(2027, 2, 28)


@pytest.mark.django_db
@given(st.lists(st.tuples(st.sampled_from(["ent_a1", "ent_b1", "ent_park"]), st.integers(-40, 15),
                          st.integers(-1200, 30), st.integers(1, 1200), st.booleans()), max_size=15))
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_the_set_based_class_agrees_with_the_rule(world: World, rows: list[tuple[str, int, int, int, bool]]) -> None:
    """``classes_for_ids`` and ``annotate_credit`` (SQL sums) give the class ``standing`` computes event by event."""
    from django.utils import timezone

    today = timezone.localdate()
    CreditEvent.objects.all().delete()
    for n, (key, points, start, length, revoked) in enumerate(rows):
        occurred = today + dt.timedelta(days=start)
        e = CreditEvent(enterprise=world.enterprises[key], kind=EventKind.OBSTRUCTION, points=points, grounds="x",
                        source_key=f"t:{n}", occurred_on=occurred, expires_on=occurred + dt.timedelta(days=length),
                        revoked_at=timezone.now() if revoked else None)
        e.copy_scope_keys()
        e.save()
    ids = [e.pk for e in world.enterprises.values()]
    by_sql = selectors.classes_for_ids(ids, today)
    annotated = {e.pk: selectors.class_of_row(e)
                 for e in selectors.annotate_credit(Enterprise.objects.filter(pk__in=ids), today)}
    for ent in world.enterprises.values():
        expected = selectors.standing(ent, today).klass
        assert by_sql.get(ent.pk, "a") == expected == annotated[ent.pk]
