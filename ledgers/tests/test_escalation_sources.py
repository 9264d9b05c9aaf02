from __future__ import annotations

import datetime as dt

from escalation.registry import SOURCES
from escalation.selectors import due_summary
from escalation.services import sweep
from ledgers import lapsing, services
from ledgers.models import WorkerCertificate
from tests.personas import World


def test_every_lapsing_kind_is_a_deadline_source_of_the_shared_engine() -> None:
    keys = {f"ledgers.{k.key}" for k in lapsing.KINDS}
    assert keys <= set(SOURCES)
    assert {SOURCES[k].ladder for k in keys} == {"expiry"}


def test_sweep_reminds_the_enterprise_and_summary_counts_in_scope(world: World) -> None:
    from accounts.models import User
    from escalation.loaders import load_escalation_defaults
    from notifications.models import Notification

    load_escalation_defaults()
    today = dt.date(2026, 12, 1)
    services.row_create(actor=None, model=WorkerCertificate, enterprise=world.enterprises["ent_a1"],
                        person_name="张三", id_number="430381199001011234", operation_type="welding",
                        certificate_number="T1", expires_on=today + dt.timedelta(days=3))
    report = sweep(today=today, sources=["ledgers.worker_certificate"])
    assert not report.errors
    user = User.objects.get(pk=world.users["enterprise_a"].pk)
    # The sweep reminds in a daily digest (one message per recipient and kind), naming the ledger and the count.
    digest = Notification.objects.get(recipient=user, kind="reminder", dedupe_key=f"digest:reminder:{today}")
    label = SOURCES["ledgers.worker_certificate"]
    assert digest.item_count == 1
    assert digest.breakdown == {f"{label.label}即将{label.kind_label}": 1}
    rows = {r["key"]: r for r in due_summary(world.user("township_a"), today=today)}
    assert rows["ledgers.worker_certificate"]["due_soon"] == 1
    rows_b = {r["key"]: r for r in due_summary(world.user("township_b"), today=today)}
    assert rows_b["ledgers.worker_certificate"]["due_soon"] == 0
