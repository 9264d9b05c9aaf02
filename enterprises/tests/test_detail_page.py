from __future__ import annotations

from django.test import Client

from tests.personas import World


def test_enterprise_page_links_its_risk_class_and_open_hazards(client: Client, world: World,
                                                               django_assert_max_num_queries) -> None:  # noqa: ANN001
    ent = world.enterprises["ent_a1"]
    client.force_login(world.users["township_a"])
    with django_assert_max_num_queries(60):
        html = client.get(f"/enterprises/{ent.pk}/").content.decode()
    assert 'data-testid="enterprise-class"' in html
    assert f"/risk/enterprise/{ent.pk}/" in html
    assert f"/hazards/?enterprise={ent.pk}" in html
