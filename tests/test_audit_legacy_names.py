"""Events stored under an old action name are never rewritten (the change log is a hash chain); every reader
finds them under the current name (``core.audit_actions``)."""

from __future__ import annotations

from django.db import transaction
from django.test import Client

from core import audit
from core.audit_actions import action_q
from core.chain import verify_chain
from core.models import ChangeEvent
from tests.personas import World


def _stored(action: str, obj: object) -> ChangeEvent:
    with transaction.atomic():
        return audit.record(action=action, obj=obj, note="旧名称")


def test_an_old_stored_event_is_found_by_the_new_name(client: Client, world: World) -> None:
    user = world.users["township_a"]
    old = _stored("login", user)
    new = _stored("accounts.login", user)
    generic = _stored("update", world.enterprises["ent_a1"])
    assert ChangeEvent.objects.get(seq=old.seq).action == "login"  # stored as written, the chain intact
    assert verify_chain().ok

    by_new = set(ChangeEvent.objects.filter(action_q("accounts.login")).values_list("seq", flat=True))
    assert {old.seq, new.seq} <= by_new and generic.seq not in by_new
    assert set(ChangeEvent.objects.filter(action_q("login")).values_list("seq", flat=True)) == by_new
    assert generic.seq in set(ChangeEvent.objects.filter(action_q("enterprises.update")).values_list("seq", flat=True))
    assert generic.seq not in set(ChangeEvent.objects.filter(action_q("orgs.update")).values_list("seq", flat=True))
    assert ChangeEvent.objects.get(seq=old.seq).action_name == "accounts.login"
    assert ChangeEvent.objects.get(seq=generic.seq).action_name == "enterprises.update"

    client.force_login(world.users["auditadmin"])
    api = client.get("/api/v1/audit/events/", {"action": "accounts.login"}).json()
    rows = {row["seq"]: row for row in api["results"]}
    assert {old.seq, new.seq} <= set(rows) and generic.seq not in rows
    assert rows[old.seq]["action"] == "login" and rows[old.seq]["action_name"] == "accounts.login"
    page = client.get("/audit/", {"action": "accounts.login"}).content.decode()
    assert f"<td>{old.seq}</td>" in page and f"<td>{new.seq}</td>" in page and f"<td>{generic.seq}</td>" not in page


def test_the_object_history_shows_the_current_name(client: Client, world: World) -> None:
    ent = world.enterprises["ent_a1"]
    _stored("update", ent)
    client.force_login(world.users["office"])
    page = client.get(f"/enterprises/{ent.pk}/").content.decode()
    history = page[page.index('id="history"'):]
    history = history[: history.index("</section>")]
    # shown by the words of its current name (a person reads labels, not action names)
    from core.history import action_label

    assert f"· {action_label('enterprises.update')}" in history
    assert "update" not in history
