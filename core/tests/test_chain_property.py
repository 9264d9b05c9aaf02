"""Property: whatever the interleaving of appends, seals and late commits (a lower seq committing after blocks
covering higher ones were sealed), an untampered log always verifies and every event ends up in exactly one
block; and any single tampering — an edit, a delete, two events swapped, an event slipped in, blocks cut from
the end with the head rewound — is always reported. Runs on the suite's engine (SQLite or PostgreSQL)."""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.anchor import make_block
from core.audit import event_hash
from core.chain import latest_block, seal, verify_chain
from core.models import ChainBlock, ChangeEvent, UnsealedEvent
from core.tests.tampering import bypass_append_only

BASE = 10_000_000  # far above anything the suite's sequence hands out; every example is rolled back


def put(seq: int, *, digest: str | None = None) -> None:
    """An event as ``core.audit.record`` builds it, at a chosen seq (to play out-of-order commits)."""
    ev = ChangeEvent(seq=seq, occurred_at=timezone.now(), actor_label="", source="command", request_id="property",
                     action="core.test", object_type="core.test", object_id=str(seq), object_repr="",
                     changes={"n": seq}, note="", prev_hash="")
    ev.hash = digest or event_hash(ev.hashed_payload())
    ev.save(force_insert=True)


def attack(*statements: tuple[str, list[Any]]) -> None:
    with connection.cursor() as cur:
        bypass_append_only(cur, connection.vendor)
        for sql, params in statements:
            cur.execute(sql, params)


steps = st.lists(
    st.one_of(
        st.tuples(st.just("append"), st.integers(1, 4), st.booleans()),  # k events, leaving a hole before them?
        st.tuples(st.just("seal"), st.integers(1, 5), st.just(False)),  # seal, at most that many per block
        st.tuples(st.just("straggle"), st.integers(0, 50), st.just(False)),  # a hole's event commits late
    ),
    min_size=1, max_size=14,
)
TAMPERINGS = ("edit", "delete", "swap", "forge", "forge_unqueued", "cut")


def play(plan: list[tuple[str, int, bool]]) -> tuple[list[int], list[int]]:
    """Run the steps; returns (seqs written, holes never filled)."""
    written: list[int] = []
    holes: list[int] = []
    nxt = BASE
    for op, n, flag in plan:
        if op == "append":
            if flag:
                holes.append(nxt)
                nxt += 1
            for _ in range(n):
                put(nxt)
                written.append(nxt)
                nxt += 1
        elif op == "seal":
            seal(limit=n)
        elif holes:
            seq = holes.pop(n % len(holes))
            put(seq)
            written.append(seq)
    if not written:
        put(nxt)
        written.append(nxt)
    return written, holes


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plan=steps, final_seal=st.booleans())
def test_an_untampered_log_always_verifies_and_every_event_is_sealed_once(db: None, plan: list[Any],
                                                                          final_seal: bool) -> None:
    with transaction.atomic():
        written, _holes = play(plan)
        report = verify_chain()
        assert report.ok, report.problems
        if final_seal:
            seal(limit=3)
            assert not UnsealedEvent.objects.exists()
            covered = [seq for block in ChainBlock.objects.all() for first, last in block.ranges
                       for seq in range(first, last + 1)]
            assert len(covered) == len(set(covered)) == ChangeEvent.objects.count()
            assert set(written) <= set(covered)
            assert verify_chain().ok
        transaction.set_rollback(True)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plan=steps, tampering=st.sampled_from(TAMPERINGS), pick=st.integers(0, 10_000), other=st.integers(1, 10_000),
       seal_before=st.booleans())
def test_every_tampering_is_detected(db: None, plan: list[Any], tampering: str, pick: int, other: int,
                                     seal_before: bool) -> None:
    with transaction.atomic():
        written, holes = play(plan)
        if seal_before or tampering == "cut":
            seal(limit=4)
        number, digest = latest_block()
        checkpoints = [make_block("checkpoint", number, digest)] if number else []
        assert verify_chain(checkpoints=checkpoints).ok
        target = written[pick % len(written)]
        if tampering == "edit":
            attack(("UPDATE core_changeevent SET note = %s WHERE seq = %s", ["forged", target]))
        elif tampering == "delete":
            attack(("DELETE FROM core_changeevent WHERE seq = %s", [target]))
        elif tampering == "swap":
            if len(written) == 1:
                put(written[0] + 1)
                written.append(written[0] + 1)
            pair = sorted({target, written[(pick + other) % len(written)]})
            a, b = pair if len(pair) == 2 else sorted({written[0], written[-1]})
            attack(("UPDATE core_changeevent SET seq = -1 WHERE seq = %s", [a]),
                   ("UPDATE core_changeevent SET seq = %s WHERE seq = %s", [a, b]),
                   ("UPDATE core_changeevent SET seq = %s WHERE seq = -1", [b]))
        elif tampering in ("forge", "forge_unqueued"):
            seq = holes[0] if holes else max(written) + 1 + other
            if tampering == "forge":
                put(seq, digest=f"{other:064x}")  # without the key: a hash that is not the HMAC
            else:
                put(seq)  # even a correctly hashed event is caught once its queue row is gone
                attack(("DELETE FROM core_unsealedevent WHERE seq = %s", [seq]))
        else:  # cut the last k blocks and their events, rewind the head; the checkpoint remembers
            k = 1 + other % number
            doomed = [seq for block in ChainBlock.objects.filter(number__gt=number - k)
                      for first, last in block.ranges for seq in range(first, last + 1)]
            keep = ChainBlock.objects.filter(number=number - k).values_list("hash", flat=True).first() or "0" * 64
            marks = ", ".join(["%s"] * len(doomed))
            attack((f"DELETE FROM core_changeevent WHERE seq IN ({marks})", doomed),
                   ("DELETE FROM core_chainblock WHERE number > %s", [number - k]),
                   ("UPDATE core_chainhead SET last_block = %s, last_hash = %s", [number - k, keep]))
        report = verify_chain(checkpoints=checkpoints)
        assert not report.ok, (tampering, plan)
        transaction.set_rollback(True)
