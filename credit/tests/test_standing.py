"""The stored credit class (``credit.standing``): written in the transaction of every change of an enterprise's
events and listing, brought forward by the periodic sweep when time alone changes it, read by the supervision class;
the repair commands."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from credit import standing
from credit.models import ClassSweep, CreditEvent
from credit.tests.factories import fresh_enterprise, listed, obstruction
from enterprises import tally
from enterprises.models import Enterprise, EnterpriseTally
from risk.selectors import class_inputs
from tests.personas import World

pytestmark = pytest.mark.django_db


def _class(ent: Enterprise) -> str:
    return Enterprise.objects.get(pk=ent.pk).credit_class


def test_an_event_and_a_listing_change_the_stored_class_at_once(world: World) -> None:
    ent = fresh_enterprise()
    assert _class(ent) == "a"
    obstruction(world, enterprise=ent, days=10)
    assert _class(ent) == "c"
    listed(world, ent)
    assert _class(ent) == "d"
    assert tally.snapshot() == tally.tally_rows(Enterprise.objects.all())


def test_the_sweep_follows_an_expiry_and_runs_once_a_day(world: World) -> None:
    ent = fresh_enterprise()
    event = obstruction(world, enterprise=ent, days=10)
    today = timezone.localdate()
    ClassSweep.objects.update_or_create(pk=1, defaults={"day": today})
    assert standing.sweep(today) == 0
    # The event ends tomorrow: nothing changes until the sweep of that day.
    CreditEvent.objects.filter(pk=event.pk).update(expires_on=today + dt.timedelta(days=1))
    assert standing.sweep(today) == 0 and _class(ent) == "c"
    assert standing.sweep(today + dt.timedelta(days=1)) == 1
    assert _class(ent) == "a"
    assert ClassSweep.objects.get().day == today + dt.timedelta(days=1)
    assert standing.sweep(today + dt.timedelta(days=1)) == 0  # a second run the same day reads one row
    assert tally.snapshot() == tally.tally_rows(Enterprise.objects.all())


def test_the_sweep_reads_only_the_enterprises_with_a_boundary(world: World, django_assert_max_num_queries) -> None:
    for _ in range(3):
        obstruction(world, enterprise=fresh_enterprise(), days=10)
    today = timezone.localdate()
    ClassSweep.objects.update_or_create(pk=1, defaults={"day": today})
    with django_assert_max_num_queries(8):  # lock the mark, two boundary reads, no enterprise to refresh
        standing.sweep(today + dt.timedelta(days=1))


def test_the_supervision_class_reads_the_stored_class(world: World) -> None:
    ent = fresh_enterprise()
    obstruction(world, enterprise=ent, days=10)
    assert class_inputs([ent.pk]).credit == {ent.pk: "c"}
    Enterprise.objects.filter(pk=ent.pk).update(credit_class="d")  # what the classes read is the stored one
    assert class_inputs([ent.pk]).credit == {ent.pk: "d"}


def test_the_repair_commands_recount_what_was_written_outside_the_services(world: World) -> None:
    ent = fresh_enterprise()
    obstruction(world, enterprise=ent, days=10)
    Enterprise.objects.filter(pk=ent.pk).update(credit_class="a")  # as if written by a bulk tool
    EnterpriseTally.objects.all().delete()
    out = StringIO()
    call_command("recompute_credit_classes", stdout=out)
    call_command("rebuild_enterprise_tallies", stdout=out)
    assert _class(ent) == "c"
    assert tally.snapshot() == tally.tally_rows(Enterprise.objects.all())
    assert "企业" in out.getvalue()
