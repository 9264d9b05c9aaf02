from __future__ import annotations

from django.test import Client

from hazards.models import Hazard
from tests.personas import World


def test_an_out_of_scope_enterprise_id_looks_like_a_missing_one(client: Client, world: World) -> None:
    client.force_login(world.users["enterprise_a"])
    before = Hazard.objects.count()
    other = client.post("/api/v1/hazards/", {"enterprise": world.enterprises["ent_b1"].pk, "source": "self",
                                              "description": "越权登记"}, content_type="application/json")
    missing = client.post("/api/v1/hazards/", {"enterprise": 999999, "source": "self", "description": "越权登记"},
                          content_type="application/json")
    assert other.status_code == missing.status_code == 400
    assert other.json()["enterprise"] == [m.replace("999999", str(world.enterprises["ent_b1"].pk))
                                          for m in missing.json()["enterprise"]]
    assert Hazard.objects.count() == before
