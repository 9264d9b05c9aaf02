"""统一社会信用代码 (GB 32100-2015): format and check-character validation."""

from __future__ import annotations

import re

# The 31 characters allowed (no I, O, S, V, Z) and their values, per GB 32100-2015.
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUES = {ch: i for i, ch in enumerate(ALPHABET)}
WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
_SHAPE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


class CreditCodeError(ValueError):
    pass


def check_character(first17: str) -> str:
    total = sum(VALUES[ch] * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def normalise(code: str) -> str:
    # Full-width characters and lower case are common in pasted spreadsheets.
    table = {ord(c): ord(c) - 0xFEE0 for c in "０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ"}
    return (code or "").translate(table).strip().replace(" ", "").upper()


def validate_credit_code(code: str) -> str:
    """Return the normalised code, or raise CreditCodeError with a Chinese message."""
    value = normalise(code)
    if not value:
        raise CreditCodeError("统一社会信用代码不能为空")
    if len(value) != 18:
        raise CreditCodeError(f"统一社会信用代码应为18位，当前为{len(value)}位")
    bad = sorted({ch for ch in value if ch not in VALUES})
    if bad:
        raise CreditCodeError(f"统一社会信用代码含有不允许的字符：{'、'.join(bad)}（不使用 I、O、S、V、Z）")
    if not _SHAPE.match(value):
        raise CreditCodeError("统一社会信用代码第3至8位应为6位数字的行政区划码")
    expected = check_character(value[:17])
    if value[17] != expected:
        raise CreditCodeError("统一社会信用代码校验位错误，请核对是否有输错的字符")
    return value


def make_credit_code(first17: str) -> str:
    """Complete 17 characters with their check character (used for synthetic demo data)."""
    return first17 + check_character(first17)
