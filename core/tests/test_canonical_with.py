"""record_many serialises an event's changes once: canonical_with gives the very bytes canonical() gives, so the
event hashes (and their verification) are unchanged."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.audit import canonical, canonical_with

SCALARS = st.none() | st.booleans() | st.integers() | st.text(alphabet="ab\"\\/\n\t中文 é\u2028")
JSON = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(alphabet="abc中_", max_size=4), inner, max_size=3), max_leaves=10)


@given(st.dictionaries(st.sampled_from(["seq", "at", "actor", "action", "type", "id", "repr", "note", "请求"]), SCALARS),
       JSON)
def test_canonical_with_is_canonical(payload: dict, changes: object) -> None:
    expected = canonical({**payload, "changes": changes})
    assert canonical_with(payload, "changes", canonical({"x": changes})[5:-1].decode()) == expected


@pytest.mark.django_db(transaction=False)
def test_record_many_stores_the_hash_event_hash_gives(world) -> None:
    """Each event record_many writes (COPY on PostgreSQL, bulk_create elsewhere) carries event_hash() of its own
    stored content: mixed changes (nested, Chinese, quotes, numbers, null), notes and a Ref."""
    from django.db import transaction

    from core.audit import Ref, Source, audit_context, event_hash, record_many
    from core.models import ChangeEvent

    user = world.user("office")
    events = [("tests.one", user, {"name": ["旧名", "新名 \"引号\"\n"], "n": [1, 2.5], "nested": {"b": [None, True]}},
               "批量导入"),
              ("tests.two", Ref("tests.thing", 42, "东西 42"), {}, ""),
              ("tests.three", Ref("tests.thing", None, "无编号"), {"units": [[], [3, 1, 2]]}, "备注\t")]
    with audit_context(source=Source.IMPORT, actor=user, ip="10.0.0.1"), transaction.atomic():
        record_many(events)
    stored = list(ChangeEvent.objects.filter(action__startswith="tests.").order_by("seq"))
    assert [e.action for e in stored] == ["tests.one", "tests.two", "tests.three"]
    for e in stored:
        assert e.hash == event_hash(e.hashed_payload()), e.action
    assert stored[0].changes["name"] == ["旧名", "新名 \"引号\"\n"]
