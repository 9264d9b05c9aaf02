"""Upload, activate, restore and reset: who may, what is refused, what is recorded, which documents change."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings

from core.models import Attachment, ChangeEvent
from documents import services
from documents.models import DocumentTemplate, TemplateState
from documents.preview import blocks
from documents.registry import get_type
from documents.rendering import generate
from documents.selectors import active_template, managed_unit
from documents.tests.helpers import LETTERHEAD, edited, upload
from orgs.models import Unit
from risk.documents import card_docx, card_owners
from risk.tests.factories import make_point

pytestmark = pytest.mark.django_db
MONTHLY = "campaign_monthly"


def _sample(key: str, owners: list) -> str:
    doc_type = get_type(key)
    return blocks(generate(key, doc_type.sample_context(), owners=owners))[0].text


def _upload(world, persona: str, key: str = MONTHLY, first: str = LETTERHEAD, **kw) -> DocumentTemplate:  # noqa: ANN001
    return services.template_upload(actor=world.user(persona), doc_type=get_type(key),
                                    file=upload(edited(key, before=[first])), **kw)


def test_upload_keeps_a_draft_until_it_is_activated_and_records_both(world) -> None:
    office = Unit.objects.get(name="市安委办")
    template = _upload(world, "office", note="2025 年新文头")
    assert (template.unit, template.version, template.state, template.note) == (office, 1, TemplateState.DRAFT,
                                                                               "2025 年新文头")
    assert template.attachment().content_type.endswith("wordprocessingml.document")
    assert _sample(MONTHLY, [office]) != LETTERHEAD  # a draft serves no document
    services.template_activate(actor=world.user("office"), template=template)
    assert _sample(MONTHLY, [office]) == LETTERHEAD
    actions = list(ChangeEvent.objects.for_object(template).values_list("action", flat=True))
    assert {"core.file_attach", "documents.template_upload", "documents.template_activate"} <= set(actions)
    event = ChangeEvent.objects.for_object(template).get(action="documents.template_activate")
    assert event.changes == {"state": ["draft", "active"]}


def test_a_newer_version_retires_the_old_one_and_the_old_one_can_be_restored(world) -> None:
    office = world.user("office")
    v1 = _upload(world, "office", first="第一版文头")
    services.template_activate(actor=office, template=v1)
    v2 = _upload(world, "office", first="第二版文头")
    services.template_activate(actor=office, template=v2)
    v1.refresh_from_db()
    assert (v1.state, v2.version) == (TemplateState.RETIRED, 2)
    assert _sample(MONTHLY, [office.unit]) == "第二版文头"
    services.template_activate(actor=office, template=v1)  # restore
    v2.refresh_from_db()
    assert (v2.state, _sample(MONTHLY, [office.unit])) == (TemplateState.RETIRED, "第一版文头")
    assert ChangeEvent.objects.for_object(v1).filter(action="documents.template_restore").exists()
    assert DocumentTemplate.objects.filter(doc_type=MONTHLY, unit=office.unit).count() == 2  # nothing deleted
    services.template_reset(actor=office, doc_type=get_type(MONTHLY))
    assert active_template(MONTHLY, [office.unit]) is None
    assert _sample(MONTHLY, [office.unit]) == get_type(MONTHLY).sample_context()["report"]["title"]


def test_activating_again_changes_nothing(world) -> None:
    v1 = _upload(world, "office")
    services.template_activate(actor=world.user("office"), template=v1)
    before = ChangeEvent.objects.count()
    services.template_activate(actor=world.user("office"), template=v1)
    assert ChangeEvent.objects.count() == before


# -- refusals -------------------------------------------------------------------------------------------
def _refused(world, file, key: str = MONTHLY) -> str:  # noqa: ANN001
    rows, files = DocumentTemplate.objects.count(), Attachment.objects.count()
    with pytest.raises(ValidationError) as caught:
        services.template_upload(actor=world.user("office"), doc_type=get_type(key), file=file)
    assert (DocumentTemplate.objects.count(), Attachment.objects.count()) == (rows, files)  # nothing written
    return " ".join(caught.value.messages)


def test_a_file_that_is_not_a_word_document_by_content_is_refused(world) -> None:
    from risk.tests.test_services import tiny_png

    assert "不是 Word 文档" in _refused(world, upload(tiny_png(10, 10), "模板.docx"))
    assert "不是 Word 文档" in _refused(world, upload(b"%PDF-1.4\n%\xe2\xe3\n1 0 obj\n", "模板.docx"))
    buf = io.BytesIO()
    from core.xlsx import Workbook

    book = Workbook()
    book.sheet("x").write(0, 0, "x")
    buf.write(book.getvalue())
    assert "不是 Word 文档" in _refused(world, upload(buf.getvalue(), "模板.docx"))  # an .xlsx renamed
    assert "是空的" in _refused(world, upload(b"", "模板.docx"))


@override_settings(ANZHI_DOC_TEMPLATE_MAX_MB=1)
def test_a_file_over_the_size_limit_is_refused(world) -> None:
    message = _refused(world, upload(b"PK" + b"\0" * (1024 * 1024), "模板.docx"))
    assert "超过 1 MB" in message


def test_a_template_with_a_jinja_error_is_refused(world) -> None:
    message = _refused(world, upload(edited(MONTHLY, before=["{% for u in overdue_units %}{{ u.name }}"])))
    assert "未结束的 {% for %}" in message


def test_a_template_with_an_unknown_variable_is_refused(world) -> None:
    message = _refused(world, upload(edited(MONTHLY, before=["{{ campaign.leader }}"])))
    assert "{{ campaign.leader }}" in message and "未定义" in message


# -- scope ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("persona", ["township_a", "enterprise_a", "inspector", "expert", "sysadmin", "auditadmin"])
def test_only_the_office_and_regulators_may_upload(world, persona: str) -> None:
    assert managed_unit(world.user(persona)) is None
    with pytest.raises(PermissionDenied):
        _upload(world, persona)
    assert not DocumentTemplate.objects.exists()


def test_a_department_uploads_for_itself_and_cannot_switch_the_office_template(world) -> None:
    mine = _upload(world, "regulator", first="应急管理局文头")
    assert mine.unit.name == "市应急管理局"
    office_version = _upload(world, "office")
    with pytest.raises(PermissionDenied):
        services.template_activate(actor=world.user("regulator"), template=office_version)
    with pytest.raises(PermissionDenied):
        services.template_activate(actor=world.user("office"), template=mine)
    with pytest.raises(PermissionDenied):
        services.template_activate(actor=world.user("regulator_fire"), template=mine)
    services.template_activate(actor=world.user("regulator"), template=mine)
    assert office_version.state == TemplateState.DRAFT


def test_a_department_template_serves_only_the_cards_of_the_enterprises_it_regulates(world) -> None:
    from enterprises.services import enterprise_update

    emergency = Unit.objects.get(name="市应急管理局")
    regulated, other = world.enterprises["ent_a1"], world.enterprises["ent_b1"]
    enterprise_update(actor=None, enterprise=regulated, departments=[emergency])
    key = "risk_card_notice_a4"
    for persona, text in (("regulator", "应急管理局的告知卡"), ("office", "安委办的告知卡")):
        version = _upload(world, persona, key=key, first=text)
        services.template_activate(actor=world.user(persona), template=version)

    def first_line(ent) -> str:  # noqa: ANN001
        point = make_point(ent, "orange", name="岗位", kind="post")
        return blocks(card_docx(kind="notice", point=point, enterprise=ent, url="https://x/"))[0].text

    assert [u.name for u in card_owners(regulated)][:2] == ["市应急管理局", "市安委办"]
    assert first_line(regulated) == "应急管理局的告知卡"
    assert first_line(other) == "安委办的告知卡"  # the county's template
    assert blocks(card_docx(kind="notice", size="a6", point=make_point(other, name="甲", kind="post"),
                            enterprise=other, url="https://x/"))[0].text == "岗位安全风险告知卡"  # another type


def test_a_failing_active_template_falls_back_to_the_default(world) -> None:
    from core.uploads import attach

    office = world.user("office")
    version = _upload(world, "office")
    services.template_activate(actor=office, template=version)
    # Real data that the sample did not have: the file is swapped for one that fails at render time.
    broken = edited(MONTHLY, before=["{{ plans[7].label }}"])
    attach(actor=office, owner=version, file=upload(broken), role="doc_template", kinds=("document",))
    title = get_type(MONTHLY).sample_context()["report"]["title"]
    assert _sample(MONTHLY, [office.unit]) == title
