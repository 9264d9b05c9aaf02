from __future__ import annotations

import pytest

from documents.building import build, parts, stale_defaults
from documents.registry import DocumentType, Image, Var, all_types, get_type, nest, register_type, shape
from documents.rendering import check_template, render


def test_every_generated_word_document_has_a_registered_type() -> None:
    keys = {t.key for t in all_types()}
    assert {"campaign_monthly", "campaign_annual"} <= keys
    assert {f"risk_card_{k}_{s}" for k in ("notice", "emergency", "duty") for s in ("a4", "a6")} <= keys


@pytest.mark.parametrize("doc_type", all_types(), ids=lambda t: t.key)
def test_committed_default_template_is_what_its_builder_makes(doc_type: DocumentType) -> None:
    """The shipped .docx files are generated, never edited: scripts/build_doc_templates.py rewrites them."""
    assert doc_type.default_path.exists(), f"run scripts/build_doc_templates.py for {doc_type.key}"
    assert parts(doc_type.default_bytes()) == parts(build(doc_type)), \
        f"{doc_type.key}: the committed template is stale; run scripts/build_doc_templates.py"
    assert build(doc_type) == build(doc_type)  # reproducible to the byte


def test_no_default_template_is_stale() -> None:
    assert stale_defaults() == []


@pytest.mark.parametrize("doc_type", all_types(), ids=lambda t: t.key)
def test_default_template_passes_the_upload_checks_and_renders_the_sample(doc_type: DocumentType) -> None:
    check_template(doc_type, doc_type.default_bytes())
    render(doc_type.sample_context(), doc_type.default_bytes())


@pytest.mark.parametrize("doc_type", all_types(), ids=lambda t: t.key)
def test_every_variable_is_documented_with_a_chinese_description_and_an_example(doc_type: DocumentType) -> None:
    for v in doc_type.variables:
        for item in (v, *v.item):
            assert str(item.label) and any("\u4e00" <= ch <= "\u9fff" for ch in str(item.label)), item.name
            if not item.is_list:
                assert item.example not in (None, ""), item.name
    names = [v.name for v in doc_type.variables]
    assert len(names) == len(set(names))


def test_sample_context_nests_dotted_names_and_lists() -> None:
    doc_type = get_type("campaign_monthly")
    sample = doc_type.sample_context()
    assert sample["campaign"]["name"] and sample["figures"]["total"] == 120
    assert sample["plans"] == [{"label": "D3 消防", "total": 12, "done": 5, "percent": 42, "overdue": 1}]
    assert nest([("a.b", 1), ("a.c", 2), ("d", 3)]) == {"a": {"b": 1, "c": 2}, "d": 3}
    assert shape({"a": [{"b": 1}], "q": Image(b"", 1)}) == {"a": [{"b": "value"}], "q": "image"}
    assert doc_type.names() >= {"campaign", "report", "figures", "plans"}
    assert "campaign.name" in doc_type.paths() and "campaign" in doc_type.paths()


def test_a_key_cannot_be_registered_twice() -> None:
    first = get_type("campaign_monthly")
    register_type(first)  # the same declaration again (a second ready()) is harmless
    with pytest.raises(ValueError, match="twice"):
        register_type(DocumentType(key=first.key, label="x", group="x", app_label="campaigns",
                                   variables=(Var("a", "甲", "1"),), build_default=first.build_default))
