"""统一社会信用代码 (GB 32100-2015): format and check-character validation."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django.utils.translation import gettext as _

# The 31 characters allowed (no I, O, S, V, Z) and their values, per GB 32100-2015.
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUES = {ch: i for i, ch in enumerate(ALPHABET)}
WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
_SHAPE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
# What Excel makes of an 18-digit code typed into a number cell: 9.14403E+17, 9.14403001922038E17 …
_NUMBER_TEXT = re.compile(r"^\d+(\.\d*)?[Ee][+-]?\d+$|^\d+\.\d*$")
# A cell already in normal form (ASCII capitals and digits): NFKC, the removal of spaces and upper-casing leave it
# as it is, so it skips them (a 50,000-row import validates 50,000 codes).
_PLAIN = re.compile(r"[0-9A-Z]+")


class CreditCodeError(ValueError):
    pass


def check_character(first17: str) -> str:
    total = sum(VALUES[ch] * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def _invisible(ch: str) -> bool:
    # Whitespace of every kind (full-width U+3000 included) and format characters: zero-width
    # space/joiners U+200B..U+200D, word joiner U+2060, BOM U+FEFF, soft hyphen U+00AD.
    return ch.isspace() or unicodedata.category(ch) in ("Cf", "Cc", "Zs", "Zl", "Zp")


def normalise(code: Any) -> str:
    """Pasted codes arrive full-width, lower-case and with stray (often invisible) spaces.

    NFKC folds full-width letters, digits and spaces to ASCII (ａ → a, ＡＢ１２ → AB12, U+3000 → space);
    then every space and format character goes; upper-casing comes last, once the text is ASCII."""
    if code is None:
        return ""
    value = unicodedata.normalize("NFKC", str(code))
    return "".join(ch for ch in value if not _invisible(ch)).upper()


def stored_as_number(code: Any) -> bool:
    """True when a spreadsheet kept the code as a number: it has lost its last digits already."""
    if isinstance(code, bool):
        return False
    if isinstance(code, int | float):
        return True
    if not isinstance(code, str):
        return False
    value = normalise(code)
    # A valid code can look like a number too (9E0000110000000009): then it is the code, not a number.
    return bool(_NUMBER_TEXT.match(value)) and not _valid(value)


def _valid(value: str) -> bool:
    return len(value) == 18 and bool(_SHAPE.match(value)) and value[17] == check_character(value[:17])


def number_message() -> str:
    return _("统一社会信用代码被存成了数字（末几位已丢失），请把该列设为文本格式后重新填写")


def validate_credit_code(code: Any) -> str:
    """Return the normalised code, or raise CreditCodeError with a Chinese message.

    ``code`` may be the raw value of a spreadsheet cell: a number there means the column was not
    formatted as text, and the message says so instead of blaming the check character."""
    if type(code) is str and _PLAIN.fullmatch(code):
        value = code  # what normalise() returns for it
        if _NUMBER_TEXT.match(value) and not _valid(value):  # stored_as_number(), on the same value
            raise CreditCodeError(number_message())
    else:
        if stored_as_number(code):
            raise CreditCodeError(number_message())
        value = normalise(code)
    if not value:
        raise CreditCodeError(_("统一社会信用代码不能为空"))
    if len(value) != 18:
        raise CreditCodeError(_("统一社会信用代码应为18位，当前为%(n)d位") % {"n": len(value)})
    bad = sorted({ch for ch in value if ch not in VALUES})
    if bad:
        raise CreditCodeError(_("统一社会信用代码含有不允许的字符：%(c)s（不使用 I、O、S、V、Z）") % {"c": "、".join(bad)})
    if not _SHAPE.match(value):
        raise CreditCodeError(_("统一社会信用代码第3至8位应为6位数字的行政区划码"))
    expected = check_character(value[:17])
    if value[17] != expected:
        raise CreditCodeError(_("统一社会信用代码校验位错误，请核对是否有输错的字符"))
    return value


def make_credit_code(first17: str) -> str:
    """Complete 17 characters with their check character (used for synthetic demo data)."""
    return first17 + check_character(first17)
