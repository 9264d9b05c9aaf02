"""The credit API: created through the API, answers valid against the schema, hostile input refused, scope 404."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from credit.models import BlacklistEntry, CreditEvent
from credit.tests.factories import days_ago
from tests.openapi import assert_matches_schema
from tests.personas import World

pytestmark = pytest.mark.django_db
HOSTILE = "=HYPERLINK(\"http://x\")<script>alert(1)</script>"


def _post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def test_events_classes_and_blacklist_through_the_api(client: Client, world: World) -> None:
    ent = world.enterprises["ent_a1"]
    client.force_login(world.users["regulator"])
    response = _post(client, "/api/v1/credit/events/", {"enterprise": ent.pk, "kind": "obstruction",
                                                         "grounds": HOSTILE, "occurred_on": str(days_ago(2)),
                                                         "points": 50, "source_key": "x"})
    assert response.status_code == 201, response.content
    assert_matches_schema(response, "post")
    body = response.json()
    assert body["points"] == -30 and body["grounds"] == HOSTILE and body["counts"] is True
    listing = client.get(f"/api/v1/credit/events/?enterprise={ent.pk}&live=true")
    assert_matches_schema(listing)
    assert [r["id"] for r in listing.json()["results"]] == [body["id"]]
    classes = client.get("/api/v1/credit/classes/?klass=c")
    assert_matches_schema(classes)
    assert [(r["id"], r["score"], r["klass"]) for r in classes.json()["results"]] == [(ent.pk, 70, "c")]
    assert_matches_schema(client.get(f"/api/v1/credit/classes/{ent.pk}/"))
    response = _post(client, "/api/v1/credit/blacklist/", {"enterprise": ent.pk, "grounds": HOSTILE,
                                                            "event": body["id"], "status": "listed"})
    assert response.status_code == 201, response.content
    assert_matches_schema(response, "post")
    entry = response.json()
    assert entry["status"] == "proposed" and entry["listed_on"] is None
    moved = _post(client, f"/api/v1/credit/blacklist/{entry['id']}/transition/",
                  {"action": "decide", "statement": "未提出陈述申辩", "listed_on": str(timezone.localdate()),
                   "expires_on": "2099-01-01"})
    assert moved.status_code == 200, moved.content
    assert_matches_schema(moved, "post")
    assert moved.json()["status"] == "listed" and moved.json()["expires_on"] != "2099-01-01"
    assert client.get("/api/v1/credit/classes/?klass=d").json()["results"][0]["listed"] is True
    assert_matches_schema(client.get("/api/v1/credit/blacklist/?live=true"))


def test_repair_through_the_api(client: Client, world: World) -> None:
    ent = world.enterprises["ent_a1"]
    client.force_login(world.users["regulator"])
    event = _post(client, "/api/v1/credit/events/", {"enterprise": ent.pk, "kind": "obstruction",
                                                      "grounds": "阻碍检查", "occurred_on": str(days_ago(400))}).json()
    client.force_login(world.users["enterprise_a"])
    response = _post(client, "/api/v1/credit/repairs/", {"enterprise": ent.pk, "events": [event["id"]],
                                                          "rectification": "已整改", "commitment": HOSTILE})
    assert response.status_code == 201, response.content
    assert_matches_schema(response, "post")
    refused = _post(client, f"/api/v1/credit/repairs/{response.json()['id']}/transition/", {"action": "approve"})
    assert refused.status_code == 403
    client.force_login(world.users["office"])
    done = _post(client, f"/api/v1/credit/repairs/{response.json()['id']}/transition/", {"action": "approve"})
    assert done.status_code == 200, done.content
    assert_matches_schema(done, "post")
    assert CreditEvent.objects.get(pk=event["id"]).repaired_at is not None


def test_hostile_and_out_of_scope_input_is_refused(client: Client, world: World) -> None:
    client.force_login(world.users["regulator_fire"])  # ent_a1 is not the fire brigade's
    ent = world.enterprises["ent_a1"]
    for body in ({"enterprise": ent.pk, "kind": "obstruction", "grounds": "x", "occurred_on": str(days_ago(1))},
                 {"enterprise": 2 ** 70, "kind": "obstruction", "grounds": "x", "occurred_on": str(days_ago(1))},
                 {"enterprise": world.enterprises["ent_a2"].pk, "kind": "penalty", "grounds": "x",
                  "occurred_on": str(days_ago(1))},
                 {"enterprise": world.enterprises["ent_a2"].pk, "kind": "obstruction", "grounds": "x" * 501,
                  "occurred_on": str(days_ago(1))},
                 {"enterprise": world.enterprises["ent_a2"].pk, "kind": "obstruction", "grounds": "x",
                  "occurred_on": "2999-01-01"}):
        response = _post(client, "/api/v1/credit/events/", body)
        assert response.status_code == 400, (body, response.content)
    assert not CreditEvent.objects.exists()
    assert client.get("/api/v1/credit/events/?enterprise=99999999999999999999999").status_code == 400


def test_outsiders_get_404(client: Client, world: World) -> None:
    from credit.tests.factories import listed, obstruction

    event = obstruction(world)
    entry = listed(world, world.enterprises["ent_a1"])
    for persona in ("township_b", "regulator_fire", "enterprise_b"):
        client.force_login(world.users[persona])
        assert client.get(f"/api/v1/credit/events/{event.pk}/").status_code == 404
        assert client.get(f"/api/v1/credit/blacklist/{entry.pk}/").status_code == 404
        assert client.get(f"/api/v1/credit/classes/{world.enterprises['ent_a1'].pk}/").status_code == 404
        assert client.get("/api/v1/credit/events/").json()["results"] == []
        moved = _post(client, f"/api/v1/credit/blacklist/{entry.pk}/transition/", {"action": "remove", "note": "x"})
        assert moved.status_code == 404
    assert BlacklistEntry.objects.get(pk=entry.pk).status == "listed"
