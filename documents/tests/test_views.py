"""The template pages through the web client: who sees what, upload with its refusals on the page, preview,
activate, the downloads."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from docx import Document

from documents.models import DocumentTemplate, TemplateState
from documents.preview import blocks
from documents.registry import all_types, get_type
from documents.tests.helpers import LETTERHEAD, edited, upload

pytestmark = pytest.mark.django_db
MONTHLY = "campaign_monthly"


def _login(client: Client, world, persona: str) -> Client:  # noqa: ANN001
    client.force_login(world.users[persona])
    return client


def _post_upload(client: Client, data: bytes, note: str = "") -> object:
    return client.post(reverse("documents:type", args=[MONTHLY]), {"file": upload(data), "note": note})


def test_every_business_user_reads_the_templates_and_their_variables(client, world) -> None:
    for persona in ("office", "regulator", "township_a", "enterprise_a"):
        _login(client, world, persona)
        page = client.get(reverse("documents:list"))
        assert page.status_code == 200
        assert all(str(t.label) in page.content.decode() for t in all_types())
        detail = client.get(reverse("documents:type", args=[MONTHLY])).content.decode()
        assert "{{ campaign.name }}" in detail and "行动名称" in detail and "{%tr for p in plans %}" in detail
        assert ("upload-form" in detail) == (persona in ("office", "regulator")), persona
    _login(client, world, "sysadmin")
    assert client.get(reverse("documents:list")).status_code == 403


def test_list_page_queries_do_not_grow_with_versions(client, world, django_assert_max_num_queries) -> None:
    _login(client, world, "office")
    for _ in range(3):
        _post_upload(client, edited(MONTHLY))
    with django_assert_max_num_queries(12):
        assert client.get(reverse("documents:list")).status_code == 200


def test_upload_preview_activate_and_the_next_report_uses_it(client, world) -> None:
    _login(client, world, "office")
    response = _post_upload(client, edited(MONTHLY), note="新文头")
    template = DocumentTemplate.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("documents:version", args=[template.pk])
    page = client.get(response["Location"]).content.decode()
    title = get_type(MONTHLY).sample_context()["report"]["title"]
    assert LETTERHEAD in page and title in page and 'data-testid="activate"' in page
    preview = client.get(reverse("documents:version_preview", args=[template.pk]))
    assert [b.text for b in blocks(preview.content)][:2] == [LETTERHEAD, title]
    assert client.post(reverse("documents:version_activate", args=[template.pk])).status_code == 302
    template.refresh_from_db()
    assert template.state == TemplateState.ACTIVE
    current = client.get(reverse("documents:template_download", args=[MONTHLY]))
    assert Document(io.BytesIO(current.content)).paragraphs[0].text == LETTERHEAD
    default = client.get(reverse("documents:default_download", args=[MONTHLY]))
    assert default.content == get_type(MONTHLY).default_bytes()
    # the township's documents come from the office too: it downloads the same current template
    _login(client, world, "township_a")
    current = client.get(reverse("documents:template_download", args=[MONTHLY]))
    assert Document(io.BytesIO(current.content)).paragraphs[0].text == LETTERHEAD
    assert client.post(reverse("documents:version_activate", args=[template.pk])).status_code == 403
    assert client.post(reverse("documents:type_reset", args=[MONTHLY])).status_code == 403
    _login(client, world, "office")
    assert client.post(reverse("documents:type_reset", args=[MONTHLY])).status_code == 302
    template.refresh_from_db()
    assert template.state == TemplateState.RETIRED
    assert client.get(reverse("documents:version_download", args=[template.pk])).status_code == 200


@pytest.mark.parametrize(("data", "words"), [
    (b"not a word file", "不是 Word 文档"),
    (edited(MONTHLY, before=["{{ report.title"]), "有错误"),
    (edited(MONTHLY, before=["{{ report.author }}"]), "{{ report.author }}"),
])
def test_a_refused_upload_says_why_next_to_the_form(client, world, data: bytes, words: str) -> None:
    _login(client, world, "office")
    response = _post_upload(client, data, note="保留的说明")
    assert response.status_code == 200
    page = response.content.decode()
    assert words.replace('"', "&quot;") in page or words in page
    assert "保留的说明" in page  # what was typed is kept
    assert not DocumentTemplate.objects.exists()


def test_upload_is_refused_to_those_who_keep_no_templates(client, world) -> None:
    for persona in ("township_a", "enterprise_a", "inspector"):
        _login(client, world, persona)
        assert _post_upload(client, edited(MONTHLY)).status_code == 403
    assert not DocumentTemplate.objects.exists()


def test_version_pages_are_not_found_outside_scope_and_for_unknown_types(client, world) -> None:
    _login(client, world, "office")
    _post_upload(client, edited(MONTHLY))
    template = DocumentTemplate.objects.get()
    _login(client, world, "expert")  # a business role without any scope
    assert client.get(reverse("documents:version", args=[template.pk])).status_code == 404
    assert client.get(reverse("documents:version_download", args=[template.pk])).status_code == 404
    _login(client, world, "regulator")
    assert client.get(reverse("documents:version", args=[template.pk])).status_code == 200  # not secret
    assert client.get(reverse("documents:type", args=["no_such_type"])).status_code == 404
    assert client.get(reverse("documents:template_download", args=["no_such_type"])).status_code == 404


def test_a_version_that_no_longer_renders_says_why_and_cannot_be_activated(client, world) -> None:
    """A version checked against yesterday's variables (or a file swapped underneath) is explained, not a 500."""
    from core.uploads import attach

    _login(client, world, "office")
    _post_upload(client, edited(MONTHLY))
    template = DocumentTemplate.objects.get()
    attach(actor=world.user("office"), owner=template, role="doc_template", kinds=("document",),
           file=upload(edited(MONTHLY, before=["{{ plans[7].label }}"])))
    page = client.get(reverse("documents:version", args=[template.pk]))
    assert page.status_code == 200 and "不存在的内容" in page.content.decode()
    preview = client.get(reverse("documents:version_preview", args=[template.pk]))
    assert preview.status_code == 302
    response = client.post(reverse("documents:version_activate", args=[template.pk]), follow=True)
    assert "不能启用" in response.content.decode()
    template.refresh_from_db()
    assert template.state == TemplateState.DRAFT
