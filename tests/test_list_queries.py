"""List pages keep a constant number of queries however many rows they show (no N+1)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from enterprises import services as enterprise_services
from enterprises.credit_code import make_credit_code
from orgs.models import Domain, Jurisdiction
from tests.personas import World


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("persona", ["office", "township_a", "regulator"])
def test_enterprise_list_queries_do_not_grow_with_rows(client: Client, world: World, persona: str) -> None:
    client.force_login(world.users[persona])
    _queries(client, "/enterprises/")  # warm the policy cache
    before = _queries(client, "/enterprises/")
    place = Jurisdiction.objects.get(name="东山街道")
    domains = list(Domain.objects.filter(code__in=["D12", "D1"]))
    for i in range(15):
        enterprise_services.enterprise_create(actor=None, name=f"查询计数企业{i}", credit_code=make_credit_code(f"91430381QC{i:07d}"),
                                              jurisdiction=place, domains=domains)
    assert _queries(client, "/enterprises/") == before
    assert _queries(client, "/enterprises/?export=xlsx") <= before + 2


def test_audit_list_queries_do_not_grow_with_rows(client: Client, world: World) -> None:
    client.force_login(world.users["auditadmin"])
    _queries(client, "/audit/")
    before = _queries(client, "/audit/")
    ent = world.enterprises["ent_a1"]
    for i in range(10):
        enterprise_services.enterprise_update(actor=None, enterprise=ent, address=f"地址{i}")
    assert _queries(client, "/audit/") == before
