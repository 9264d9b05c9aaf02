"""The 严重失信主体名单 in the shape other departments take for 联合惩戒: one row a subject, as the 全国信用信息共享平台
exchange lists it [M]: 统一社会信用代码, 主体名称, 法定代表人, 列入事由, 列入依据, 列入日期, 认定部门, 有效期至.
Personal data is masked (个人信息保护法第六条 minimum necessary, rules.md §7 [S]): the legal representative shows the
surname only; names of people in the grounds are masked (``credit.exposure.public_grounds``); a 个体工商户 is named
like a person. Written only through ``core/xlsx.py`` (text cells; formula-like text quoted)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from core.formats import cn_date
from core.xlsx import Style, Workbook
from credit.exposure import public_grounds

FILENAME = "严重失信主体名单（联合惩戒）.xlsx"
HEADERS = ["统一社会信用代码", "主体名称", "法定代表人", "列入事由", "列入依据", "列入日期", "认定部门", "有效期至"]
WIDTHS = [22, 30, 10, 50, 30, 14, 20, 14]


def joint_row(entry: Any) -> list[str]:
    from enforcement.services import mask_name, public_target_name

    e = entry.enterprise
    return [e.credit_code, public_target_name(e.name, credit_code=e.credit_code), mask_name(e.legal_representative),
            public_grounds(entry), entry.basis, cn_date(entry.listed_on), entry.department.name,
            cn_date(entry.expires_on)]


def joint_punishment_xlsx(entries: Iterable[Any]) -> bytes:
    book = Workbook()
    ws = book.sheet("严重失信主体名单")
    bold = Style(bold=True, text_wrap=True, border=1)
    wrap = Style(text_wrap=True, valign="top", border=1)
    ws.write_row(0, HEADERS, bold)
    for col, width in enumerate(WIDTHS):
        ws.set_column(col, col, width)
    for row, entry in enumerate(entries, 1):
        ws.write_row(row, joint_row(entry), wrap)
    ws.freeze_panes(1, 0)
    return book.getvalue()
