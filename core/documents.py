"""User text in generated .docx documents (python-docx).

python-docx escapes markup itself (``<``, ``&`` are stored as text, never as XML), and a Word
document has no formulas to inject; but it refuses any control character with a ValueError, which
would make a risk card or a report a 500 for a stray vertical tab pasted into a description. Every
piece of user text therefore goes into a document through :func:`text`."""

from __future__ import annotations

from typing import Any

from core.xlsx import as_text


def text(value: Any) -> str:
    """``value`` as XML-safe text ("" for None)."""
    return "" if value is None else as_text(value)
