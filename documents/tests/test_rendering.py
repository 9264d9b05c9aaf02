"""Rendering and the checks of an uploaded template (no database)."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from docx import Document

from documents.preview import blocks, header_footer_text
from documents.registry import DocumentType, Image, all_types, get_type
from documents.rendering import check_archive, check_template, render
from documents.tests.helpers import LETTERHEAD, edited
from documents.tests.payloads import ALL, MARK, P_JINJA, P_NUL, P_XML, as_shown


def _text(data: bytes) -> str:
    found = blocks(data)
    return "\n".join([b.text for b in found] + [c for b in found for r in b.rows for c in r]
                     + header_footer_text(data))


def _hostile(value: Any, payloads: list[str]) -> Any:
    """The sample context with every string replaced by a hostile one (in turn)."""
    if isinstance(value, dict):
        return {k: _hostile(v, payloads) for k, v in value.items()}
    if isinstance(value, list):
        return [_hostile(v, payloads) for v in value] * 2
    if isinstance(value, str):
        payloads.append(ALL[len(payloads) % len(ALL)])
        return payloads[-1]
    return value


@pytest.mark.parametrize("doc_type", all_types(), ids=lambda t: t.key)
def test_hostile_text_in_any_variable_comes_out_as_literal_text(doc_type: DocumentType) -> None:
    """Markup (<w:p>), template code ({{ }}, {% %}, docxtpl's {%tr %}), control characters, entities and
    formula-like text in the data are text in the document: escaped, never evaluated, never a new paragraph."""
    used: list[str] = []
    context = _hostile(doc_type.sample_context(), used)
    data = render(context, doc_type.default_bytes())
    text = _text(data)
    shown = [p for p in dict.fromkeys(used) if as_shown(p) in text]
    # every variable the default template prints shows its payload; those it leaves out (a card prints
    # only some of the post's fields) do not count
    assert len(shown) >= min(len(set(used)), 4), doc_type.key
    assert "49" not in text and "<w:p>" not in text.replace(as_shown(P_XML), "")
    Document(io.BytesIO(data))  # still a valid document


def test_every_payload_survives_in_one_paragraph() -> None:
    doc_type = get_type("campaign_monthly")
    for payload in (*ALL, P_NUL):
        context = doc_type.sample_context()
        context["report"]["title"] = payload
        first = blocks(render(context, doc_type.default_bytes()))[0]
        assert first.text == as_shown(payload), payload


def test_a_template_sees_plain_data_only() -> None:
    """A uploaded template cannot reach Python internals: the sandbox refuses, and the check says so."""
    doc_type = get_type("campaign_monthly")
    for probe in ("{{ report.title.__class__.__mro__ }}", "{{ report.title.format.__globals__ }}",
                  "{{ cycler.__init__.__globals__ }}", "{{ report.title * 100000000 }}", "{{ 9 ** 9 ** 9 }}",
                  "{% for i in range(10) %}{% endfor %}"):
        with pytest.raises(ValidationError) as caught:
            check_template(doc_type, edited(doc_type.key, before=[probe]))
        message = " ".join(caught.value.messages)
        assert "不允许" in message or "不存在" in message or "未定义" in message, (probe, message)


def test_page_header_and_footer_are_templates_too() -> None:
    doc_type = get_type("campaign_monthly")
    data = edited(doc_type.key, before=[], header="{{ campaign.office }} 湘安办〔2024〕1号")
    check_template(doc_type, data)
    out = render(doc_type.sample_context(), data)
    assert "市安委办 湘安办〔2024〕1号" in header_footer_text(out)


def test_picture_variable_places_the_image() -> None:
    doc_type = get_type("risk_card_notice_a4")
    data = render(doc_type.sample_context(), doc_type.default_bytes())
    qr = doc_type.sample_context()["qr"]
    assert isinstance(qr, Image)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        media = [n for n in z.namelist() if n.startswith("word/media/")]
        assert [z.read(n) for n in media] == [qr.png]


# -- refusals with a message that names the problem --------------------------------------------------
def _refusal(doc_type: DocumentType, data: bytes) -> str:
    with pytest.raises(ValidationError) as caught:
        check_template(doc_type, data)
    return " ".join(caught.value.messages)


def test_syntax_error_is_refused_naming_the_paragraph() -> None:
    doc_type = get_type("campaign_monthly")
    message = _refusal(doc_type, edited(doc_type.key, before=[LETTERHEAD, "文号：{{ report.period }"]))
    assert "有错误" in message and "文号：{{ report.period }" in message and "正文" in message
    message = _refusal(doc_type, edited(doc_type.key, before=["{% if figures.total %}没有结束"]))
    assert "未结束的 {% if %}" in message and "{% endif %}" in message
    message = _refusal(doc_type, edited(doc_type.key, before=["{{ report.title|upper2 }}"]))
    assert "“{{ report.title|upper2 }}”" in message and "upper2" in message
    message = _refusal(doc_type, edited(doc_type.key, before=[], header="{% endfo %}"))
    assert "页眉" in message and "endfo" in message


def test_unknown_variables_are_refused_by_name() -> None:
    doc_type = get_type("campaign_monthly")
    message = _refusal(doc_type, edited(doc_type.key, before=["{{ campaign.titel }}{{ office_name }}{{ campaign.name }}"]))
    assert "未定义的变量" in message and "{{ campaign.titel }}" in message and "{{ office_name }}" in message
    assert "campaign.name" not in message
    message = _refusal(doc_type, edited(doc_type.key, before=["{% for p in plans %}{{ p.lable }}{% endfor %}"]))
    assert "lable" in message and "不存在" in message


def test_a_variable_of_another_document_type_is_unknown() -> None:
    card = get_type("risk_card_duty_a4")
    message = _refusal(card, edited(card.key, before=["{{ campaign.name }}"]))
    assert "{{ campaign }}" in message


def test_not_a_word_document_is_refused() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(ValidationError, match="不是 Word"):
        check_archive(buf.getvalue())
    with pytest.raises(ValidationError, match="不是 Word"):
        check_archive(b"%PDF-1.4 " + MARK.encode())


def test_a_zip_that_unpacks_to_far_more_is_refused() -> None:
    doc = get_type("campaign_monthly").default_bytes()
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(doc)) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info))
        dst.writestr("word/media/padding.bin", b"\0" * (70 * 1024 * 1024))
    assert len(buf.getvalue()) < 1024 * 1024
    with pytest.raises(ValidationError, match="解压后过大"):
        check_archive(buf.getvalue())


def test_a_document_type_definition_is_refused() -> None:
    doc = get_type("campaign_monthly").default_bytes()
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(doc)) as src, zipfile.ZipFile(buf, "w") as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "word/document.xml":
                body = body.replace(b"?>", b'?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>', 1)
            dst.writestr(info.filename, body)
    with pytest.raises(ValidationError, match="DOCTYPE"):
        check_archive(buf.getvalue())


def test_jinja_in_the_data_of_the_sample_is_not_run_twice() -> None:
    doc_type = get_type("campaign_monthly")
    context = doc_type.sample_context()
    context["campaign"]["name"] = P_JINJA
    assert as_shown(P_JINJA) in _text(render(context, doc_type.default_bytes()))
