from __future__ import annotations

import io
import zipfile

import pytest
import segno

from documents.preview import blocks
from documents.tests.payloads import (
    ALL,
    P_BREAKS,
    P_CTRL,
    P_DOCXTPL,
    P_ENTITY,
    P_FORMULA,
    P_JINJA,
    P_XML,
    as_shown,
)
from risk import services
from risk.choices import MeasureKind
from risk.documents import card_docx, docx_text, qr_png
from risk.tests import legacy_cards
from risk.tests.factories import make_point

KINDS_SIZES = [(k, s) for k in ("notice", "emergency", "duty") for s in ("a4", "a6")]


@pytest.mark.django_db
@pytest.mark.parametrize("size", ["a4", "a6"])
def test_cards_render_post_name_measures_and_qr(world, size: str) -> None:
    ent = world.enterprises["ent_a1"]
    point = make_point(ent, "orange", name="轧钢机操作岗", kind="post",
                       emergency_actions="立即按下急停按钮\n报告班长", duties="执行操作规程")
    services.measure_add(actor=None, risk_point=point, kind="ppe", level="post", content="佩戴防护手套",
                         responsible="李四")
    url = f"https://anzhi.example.cn/risk/points/{point.pk}/"
    for kind, expected in (("notice", ["岗位安全风险告知卡", "佩戴防护手套", "机械伤害", "较大风险"]),
                           ("emergency", ["岗位应急处置卡", "立即按下急停按钮"]),
                           ("duty", ["岗位安全责任卡", "执行操作规程", "佩戴防护手套"])):
        data = card_docx(kind=kind, point=point, enterprise=ent, url=url, size=size)
        text = docx_text(data)
        assert "轧钢机操作岗" in text and ent.name in text
        for word in expected:
            assert word in text, (kind, word)
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            media = [n for n in z.namelist() if n.startswith("word/media/")]
            assert len(media) == 1
            assert z.read(media[0]) == qr_png(url)  # the very QR image of the record's address is embedded
            assert decode_qr(z.read(media[0])) == url


def decode_qr(png: bytes) -> str:
    """Read the QR code back with a real decoder (zxing-cpp), as a phone camera would."""
    import zxingcpp
    from PIL import Image

    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)).convert("L"))
    assert len(results) == 1
    return results[0].text


def test_qr_encodes_exactly_the_url() -> None:
    url = "https://anzhi.example.cn/risk/points/42/"
    expected = io.BytesIO()
    segno.make(url, error="m").save(expected, kind="png", scale=4, border=2)
    assert qr_png(url) == expected.getvalue()
    assert qr_png(url) != qr_png(url.replace("42", "43"))


def _points(world) -> list:  # noqa: ANN001
    """Posts that exercise every row of every card: everything filled, nothing filled, hostile text."""
    ent = world.enterprises["ent_a1"]
    full = make_point(ent, "red", name="涂装岗", kind="post", location="2号线", department="涂装车间", team="甲班",
                      description="溶剂挥发", emergency_actions="切断电源\n\n 启动排风 \n报告", duties="持证上岗\n班前检查",
                      emergency_phone="0731-5678", responsible="王五")
    for kind, level, content in ((MeasureKind.ENGINEERING, "company", "安装可燃气体报警器"),
                                 (MeasureKind.TRAINING, "team", "每月应急演练"),
                                 (MeasureKind.PPE, "post", "佩戴防毒面具"), (MeasureKind.PPE, "post", "穿防静电服")):
        services.measure_add(actor=None, risk_point=full, kind=kind, level=level, content=content, responsible="赵六")
    bare = services.risk_point_create(actor=None, enterprise=ent, kind="post", name="门卫岗", hazard_factors=[],
                                      accident_types=[])
    hostile = make_point(ent, "yellow", name=P_XML, kind="post", location=P_JINJA, department=P_DOCXTPL,
                         description=P_CTRL, emergency_actions=f"{P_FORMULA}\n{P_ENTITY}", duties=P_BREAKS,
                         emergency_phone=P_CTRL, responsible=P_FORMULA)
    services.measure_add(actor=None, risk_point=hostile, kind=MeasureKind.EMERGENCY, level="post", content=P_JINJA,
                         responsible=P_XML)
    return [full, bare, hostile]


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "size"), KINDS_SIZES)
def test_template_cards_hold_the_text_of_the_python_docx_cards(world, kind: str, size: str) -> None:
    """The move onto templates lost nothing: on the same data, the default template's card has the very
    paragraphs and table cells (and the one QR picture) that the former python-docx builder wrote."""
    ent = world.enterprises["ent_a1"]
    hazards = ["轧机防护罩缺失", P_XML]
    for point in _points(world):
        url = f"https://anzhi.example.cn/risk/points/{point.pk}/"
        before = blocks(legacy_cards.card_docx(kind=kind, point=point, enterprise=ent, url=url, size=size,
                                               hazards=hazards))
        after = blocks(card_docx(kind=kind, point=point, enterprise=ent, url=url, size=size, hazards=hazards))
        assert [b.as_tuple() for b in after] == [b.as_tuple() for b in before], point.name
        assert [b.images for b in after] == [b.images for b in before]


@pytest.mark.django_db
def test_hostile_text_in_a_card_is_shown_as_written(world) -> None:
    point = _points(world)[2]
    text = docx_text(card_docx(kind="notice", point=point, enterprise=world.enterprises["ent_a1"],
                               url="https://anzhi.example.cn/x/", hazards=list(ALL)))
    for payload in ALL:
        assert as_shown(payload) in text, payload
    assert "49" not in text  # {{ 7*7 }} in the data was never evaluated


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "size"), KINDS_SIZES)
def test_card_context_is_exactly_what_its_document_type_declares(world, kind: str, size: str) -> None:
    from documents.registry import get_type, shape
    from risk.doc_templates import card_key
    from risk.documents import card_context

    full = _points(world)[0]
    context = card_context(point=full, enterprise=world.enterprises["ent_a1"], url="https://x/", size=size,
                           hazards=["隐患"])
    assert shape(context) == shape(get_type(card_key(kind, size)).sample_context())
    assert context["qr"].width_mm == {"a4": 30, "a6": 18}[size]
