"""A checklist's items as .xlsx: the import (an importer on the one pipeline, ``core.imports``) and the export in the
same layout, so an exported list edited in a spreadsheet imports back. An import replaces the items of a list that
has not been run against yet, all or nothing."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from checks import services
from checks.choices import ItemType
from checks.models import CheckItem, Checklist
from core import audit
from core.imports import Importer, Row, Run
from core.spreadsheet import Column, nonblank, template_bytes, text, text_up_to, to_bool

TYPE_WORDS = {"是否": ItemType.YES_NO, "是否符合": ItemType.YES_NO, "yes_no": ItemType.YES_NO, "": ItemType.YES_NO,
              "测量值": ItemType.VALUE, "数值": ItemType.VALUE, "value": ItemType.VALUE}


def _type(value: Any) -> str:
    word = text(value)
    if word not in TYPE_WORDS:
        raise ValueError(_("检查方式应为“是否”或“测量值”"))
    return TYPE_WORDS[word]


def _number(value: Any) -> Decimal | None:
    raw = text(value)
    if not raw:
        return None
    try:
        number = Decimal(raw)
    except InvalidOperation as exc:
        raise ValueError(_("“%(v)s”不是数字") % {"v": raw[:20]}) from exc
    if not number.is_finite() or abs(number) >= 10 ** 10:
        raise ValueError(_("数值超出范围"))
    return number.quantize(Decimal("0.0001"))


def _flag(default: bool) -> Callable[[Any], bool]:
    def parse(value: Any) -> bool:
        flag = to_bool(value)
        return default if flag is None else flag

    return parse


def _field(name: str) -> Callable[[Any], str]:
    return text_up_to(CheckItem._meta.get_field(name).max_length)


COLUMNS = [
    Column("条款", "clause", help="如 第三条（一）、6.5；可留空", width=14, parse=_field("clause"),
           synonyms=("条款号", "序号", "编号")),
    Column("章节", "section", width=12, parse=_field("section")),
    Column("检查内容", "text", True, "每行一项", width=60, parse=nonblank(text), synonyms=("检查项", "内容", "检查项目")),
    Column("检查方式", "item_type", help="是否 / 测量值", width=10, parse=_type, synonyms=("类型",)),
    Column("测量项", "quantity", width=16, parse=_field("quantity")),
    Column("单位", "unit", width=8, parse=_field("unit")),
    Column("下限", "min_value", width=8, parse=_number, synonyms=("最小值",)),
    Column("上限", "max_value", width=8, parse=_number, synonyms=("最大值",)),
    Column("现场限值", "reference", width=14, parse=_field("reference")),
    Column("须拍照", "photo_required", help="是/否", width=8, parse=_flag(False)),
    Column("重大事故隐患判定项", "major_hazard_criterion", help="是/否", width=10, parse=_flag(False),
           synonyms=("重大隐患判定项", "判定项")),
    Column("允许立查立改", "on_spot_allowed", help="是/否，留空为“是”", width=10, parse=_flag(True)),
    Column("备注", "note", width=24, parse=text, synonyms=("说明",)),
]
NOTE = gettext_lazy("检查表导入模板：带*的列必填，每行一个检查项。导入会替换该检查表的全部检查项（已用于检查的表不能导入，"
                    "请先生成新版本）。任何一行有错都不会导入。")


def rows_of(checklist: Checklist) -> list[list[Any]]:
    return [[i.clause, i.section, i.text, str(ItemType(i.item_type).label).replace("是否符合", "是否"), i.quantity,
             i.unit, i.min_value if i.min_value is not None else "", i.max_value if i.max_value is not None else "",
             i.reference, "是" if i.photo_required else "否", "是" if i.major_hazard_criterion else "否",
             "是" if i.on_spot_allowed else "否", i.note]
            for i in checklist.items.order_by("position")]


def export(checklist: Checklist) -> bytes:
    rows = [[(float(v) if isinstance(v, Decimal) else v) for v in row] for row in rows_of(checklist)]
    return template_bytes(checklist.title[:28] or "检查表", COLUMNS, str(NOTE), rows)


def template() -> bytes:
    return template_bytes("检查表", COLUMNS, str(NOTE), [["1", "", "灭火器是否在有效期内", "是否", "", "", "", "", "",
                                                     "是", "否", "是", ""]])


class ChecklistImporter(Importer):
    key = "checklist"
    empty_message = gettext_lazy("表格中没有检查项。")

    def columns(self, params: dict[str, Any]) -> list[Column]:
        return COLUMNS

    def _checklist(self, params: dict[str, Any]) -> Checklist:
        return Checklist.objects.get(pk=params["checklist"])

    def title(self, params: dict[str, Any]) -> str:
        return _("导入检查项：%(t)s") % {"t": self._checklist(params).title}

    def upload_url(self, params: dict[str, Any]) -> str:
        return reverse("checks:checklist_import", args=[params["checklist"]])

    def done_url(self, params: dict[str, Any]) -> str:
        return reverse("checks:checklist", args=[params["checklist"]])

    def done_message(self, counts: Any, params: dict[str, Any]) -> str:
        return _("已导入 %(n)s 个检查项。") % {"n": counts.created}

    def authorize(self, actor: Any, params: dict[str, Any]) -> None:
        checklist = Checklist.objects.visible_to(actor).filter(pk=params.get("checklist")).first()
        if checklist is None or not services.may_edit_list(actor, checklist):
            raise PermissionDenied(_("您不能修改该检查表。"))
        if checklist.runs.exists():
            raise PermissionDenied(_("该检查表已用于检查，不能再导入；请先生成新版本。"))

    def clean(self, row: Row, run: Run) -> dict[str, Any] | None:
        values = dict(row.values)
        values["item_type"] = values.get("item_type") or ItemType.YES_NO
        try:
            return services.clean_item(values)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                header = next((c.header for c in COLUMNS if c.key == name), "")
                for message in messages:
                    row.error(header, message)
            return None

    def write(self, items: list[dict[str, Any]], run: Run) -> None:
        checklist = self._checklist(run.params)
        old = checklist.items.count()
        checklist.items.all().delete()
        CheckItem.objects.bulk_create([CheckItem(checklist=checklist, position=n, **values)
                                       for n, values in enumerate(items, start=1)])
        audit.record(action="checks.checklist_import", obj=checklist, changes={"items": [old, len(items)]})
        run.outcome.created = len(items)


IMPORTER = ChecklistImporter()
