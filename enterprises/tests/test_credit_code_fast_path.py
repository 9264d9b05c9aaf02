"""validate_credit_code skips normalising a cell already in normal form: the result (code or message) is the
same as the general path's for any value."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from enterprises.credit_code import (
    CreditCodeError,
    make_credit_code,
    normalise,
    number_message,
    stored_as_number,
    validate_credit_code,
)


def general(code: Any) -> str:
    """The validation without the fast path: normalise every value first."""
    if stored_as_number(code):
        raise CreditCodeError(number_message())
    value = normalise(code)
    return validate_credit_code(" " + value if value else value) if value else validate_credit_code(None)


def outcome(fn: Any, code: Any) -> tuple[str, str]:
    try:
        return ("ok", fn(code))
    except CreditCodeError as exc:
        return ("error", str(exc))


ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcz.E+- \u3000\u200bＡ１"


@given(st.text(alphabet=ALPHABET, max_size=20))
def test_fast_path_gives_the_general_result(code: str) -> None:
    assert outcome(validate_credit_code, code) == outcome(general, code)


def test_fast_path_on_valid_invalid_and_number_like_codes() -> None:
    good = make_credit_code("91430381MA4L00013")
    for code in [good, good[:17] + "0", good[:10], "9E0000110000000009", "9144030019220380E17", "12345", "IOSVZ",
                 make_credit_code("9E000011000000000")]:
        assert outcome(validate_credit_code, code) == outcome(general, code), code
