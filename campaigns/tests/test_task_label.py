"""Task numbers as people read them: the seed's internal plan code "master" never shows (issue 14 item 7)."""

from __future__ import annotations

from django.test import Client

from campaigns.tests.conftest import Small
from tests.personas import World


def test_master_plan_tasks_are_numbered_by_the_plan_name_not_its_internal_code(small: Small) -> None:
    task = small.emergency
    assert "master" not in task.label
    assert task.label.startswith("总方案·")
    assert "master" not in str(task) and "master" not in str(small.master)
    assert small.dongshan.label.startswith("D3·")  # other plans keep their code


def test_task_pages_and_api_show_no_master(client: Client, world: World, small: Small) -> None:
    client.force_login(world.users["office"])
    for url in (f"/campaigns/tasks/{small.emergency.pk}/", f"/campaigns/{small.campaign.pk}/tasks/",
                f"/api/v1/campaign-tasks/{small.emergency.pk}/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "master·" not in response.content.decode(), url
    assert client.get(f"/api/v1/campaign-tasks/{small.emergency.pk}/").json()["label"].startswith("总方案·")
