"""Rendering a Word template (docxtpl) with a document's context, and checking an uploaded template.

Templates are uploaded by clerks, so they run in Jinja's immutable sandbox (no ``__class__`` walks, no
method that changes data) and see plain data only: dictionaries, lists, strings and numbers that the
generating app built, never a model instance. Every string of the context is cleaned of characters XML
cannot hold (``core.documents.text``) and then escaped by autoescape, so text in the data — ``<w:p>``,
``{{``, ``{%``, control characters, formula-like text — comes out as that text: Jinja never renders its
output a second time, and a Word run holds no formulas."""

from __future__ import annotations

import html
import io
import logging
import re
import zipfile
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage
from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, UndefinedError, meta, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from core.documents import text
from documents.registry import DocumentType, Image, get_type
from documents.selectors import active_template

logger = logging.getLogger(__name__)

# A .docx is a zip of XML: a real template unpacks to a few times its size; a zip bomb to thousands.
MAX_UNPACKED_BYTES = 64 * 1024 * 1024
MAX_ENTRIES = 2000
WORD_MAIN = "word/document.xml"


MAX_REPEAT = 10_000  # characters or items a template may make by "*"


class _Sandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, without the helpers a document template has no use for (range, cycler …) and
    without operators that let a template make gigabytes out of nothing ("x" * 10**9)."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**":
            raise SecurityError(_("不能使用乘方运算 **"))
        if isinstance(left, str | list | tuple) or isinstance(right, str | list | tuple):
            size, times = (len(left), right) if isinstance(left, str | list | tuple) else (len(right), left)
            if isinstance(times, int) and size * times > MAX_REPEAT:
                raise SecurityError(_("重复生成的内容不能超过 %(n)d 个字") % {"n": MAX_REPEAT})
        return super().call_binop(context, operator, left, right)


def environment() -> ImmutableSandboxedEnvironment:
    env = _Sandbox(autoescape=True, undefined=StrictUndefined)
    for name in ("range", "lipsum", "cycler", "joiner"):
        env.globals.pop(name, None)
    return env


def clean(value: Any, tpl: DocxTemplate) -> Any:
    """The context as the template sees it: plain data, strings XML-safe, pictures placed by docxtpl."""
    if isinstance(value, Image):
        return InlineImage(tpl, io.BytesIO(value.png), width=Mm(value.width_mm))
    if isinstance(value, Mapping):
        return {str(k): clean(v, tpl) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean(v, tpl) for v in value]
    if value is None:
        return ""
    if isinstance(value, bool | int | float | Decimal):
        return value
    # docxtpl turns "\n" in a run into a line break; a lone "\r" would be lost as white space.
    return text(value).replace("\r\n", "\n").replace("\r", "\n")


def render(context: Mapping[str, Any], template: bytes, *, title: str | None = None) -> bytes:
    """Render ``template`` (the bytes of a .docx) with ``context``; raises Jinja's errors."""
    tpl = DocxTemplate(io.BytesIO(template))
    tpl.render(clean(context, tpl), jinja_env=environment(), autoescape=True)
    if title is not None:
        tpl.docx.core_properties.title = text(title)[:255]
    out = io.BytesIO()
    tpl.save(out)
    return out.getvalue()


def generate(key: str, context: Mapping[str, Any], *, owners: Sequence[Any] = (), title: str | None = None) -> bytes:
    """The document of type ``key`` for ``context``, from the first of ``owners`` (units, most specific first)
    that keeps an active template of this type, else from the shipped default.

    A template is checked with sample data before it can be activated, but real data can still trip it (an
    index past the end of a short list): then the document is made from the default rather than not at all,
    and the failure is logged."""
    doc_type = get_type(key)
    chosen = active_template(doc_type.key, owners)
    if chosen is not None:
        try:
            return render(context, chosen.file_bytes(), title=title)
        except Exception:  # noqa: BLE001 - any failure of an uploaded template falls back to the default
            logger.exception("document template %s (%s v%s) failed; using the default", key, chosen.unit_id,
                             chosen.version)
    return render(context, doc_type.default_bytes(), title=title)


# -- checking an uploaded template ------------------------------------------------------------------
def _refuse(message: str) -> ValidationError:
    return ValidationError(message, code="template")


def check_archive(data: bytes) -> None:
    """A Word document by structure, of sane size when unpacked, without DTDs (entities)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_ENTRIES or sum(i.file_size for i in infos) > MAX_UNPACKED_BYTES:
                raise _refuse(_("该文件解压后过大，不像是正常的 Word 模板。"))
            names = {i.filename for i in infos}
            if WORD_MAIN not in names or "[Content_Types].xml" not in names:
                raise _refuse(_("该文件不是 Word 文档（.docx）。"))
            for info in infos:
                if info.filename.endswith((".xml", ".rels")):
                    head = archive.read(info)[:4096]
                    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                        raise _refuse(_("该 Word 文件含有不允许的 XML 声明（DOCTYPE），请在 Word 中另存为 .docx 后重新上传。"))
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise _refuse(_("该文件不是 Word 文档（.docx）或已损坏。")) from exc


def _parts(tpl: DocxTemplate) -> list[tuple[str, str]]:
    """(Chinese part name, XML) of the body, headers and footers, as docxtpl renders them."""
    tpl.init_docx()
    parts = [(_("正文"), tpl.get_xml())]
    for uri, label in ((tpl.HEADER_URI, _("页眉")), (tpl.FOOTER_URI, _("页脚"))):
        parts += [(label, tpl.get_part_xml(part)) for _rel, part in tpl.get_headers_footers(uri)]
    return parts


def _paragraph_text(lines: list[str], lineno: int | None) -> str:
    if not lineno or lineno > len(lines):
        return ""
    plain = html.unescape(re.sub(r"<[^>]+>", "", lines[lineno - 1])).strip()
    return plain if len(plain) <= 60 else plain[:57] + "…"


def _syntax_message(part: str, source: str, exc: TemplateSyntaxError) -> str:
    detail = exc.message or str(exc)
    unclosed = re.search(r"innermost block that needs to be closed is '(\w+)'", detail)
    if unclosed:
        return _("模板%(part)s中有未结束的 {%% %(tag)s %%}：缺少对应的 {%% end%(tag)s %%}。") % {
            "part": part, "tag": unclosed.group(1)}
    return _("模板%(part)s中“%(text)s”一处有错误（%(detail)s）。请检查 {{ }} 与 {%% %%} 是否成对、标记和过滤器的拼写"
             "是否正确。") % {"part": part, "text": _paragraph_text(source.splitlines(), exc.lineno), "detail": detail}


def _dotted(node: nodes.Node) -> str | None:
    """``campaign.name`` for ``campaign.name`` or ``campaign["name"]``; None for anything else."""
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        base = _dotted(node.node)
        return f"{base}.{node.attr}" if base else None
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
        base = _dotted(node.node)
        return f"{base}.{node.arg.value}" if base else None
    return None


def unknown_paths(doc_type: DocumentType, ast: nodes.Template) -> set[str]:
    """Names the template reads that the type does not declare: unknown top-level names, and attributes of
    declared names that do not exist (``campaign.titel``). Attributes of loop variables are checked by the
    sample render."""
    top = meta.find_undeclared_variables(ast)
    unknown = {n for n in top if n not in doc_type.names()}
    known, leaves = doc_type.paths(), doc_type.leaves()
    for node in ast.find_all((nodes.Getattr, nodes.Getitem)):
        path = _dotted(node)
        if not path or path.split(".", 1)[0] not in top or path.split(".", 1)[0] in unknown:
            continue
        if path in known or any(path.startswith(leaf + ".") for leaf in leaves):
            continue
        # Report the shortest unknown prefix: campaign.titel, not campaign.titel.x as well.
        parts = path.split(".")
        for i in range(2, len(parts) + 1):
            if ".".join(parts[:i]) not in known:
                unknown.add(".".join(parts[:i]))
                break
    return unknown


def check_template(doc_type: DocumentType, data: bytes) -> None:
    """Refuse, with a Chinese message naming the problem, a template that is not a Word document, has a
    Jinja syntax error, uses a variable its type does not declare, or cannot be rendered with the sample
    data. Size and file type are checked before (``core.uploads.check_upload``)."""
    check_archive(data)
    try:
        tpl = DocxTemplate(io.BytesIO(data))
        parts = _parts(tpl)
    except ValidationError:
        raise
    except Exception as exc:  # noqa: BLE001 - python-docx raises many kinds on a broken file
        raise _refuse(_("无法读取该 Word 文件：文件已损坏或不是 .docx 格式。")) from exc
    env = environment()
    unknown: set[str] = set()
    for label, xml in parts:
        # docxtpl's own preparation, one paragraph a line so that an error's line is its paragraph.
        source = re.sub(r"<w:p([ >])", r"\n<w:p\1", tpl.patch_xml(xml))
        try:
            unknown |= unknown_paths(doc_type, env.parse(source))  # compiles: unknown filters fail here too
        except TemplateSyntaxError as exc:
            raise _refuse(_syntax_message(label, source, exc)) from exc
    if unknown:
        raise _refuse(_("模板使用了未定义的变量：%(names)s。可用的变量见本页的“可用变量”表。")
                      % {"names": "、".join("{{ " + n + " }}" for n in sorted(unknown))})
    try:
        render(doc_type.sample_context(), data)
    except UndefinedError as exc:
        raise _refuse(_("模板引用了不存在的内容（%(detail)s）。请对照“可用变量”表检查循环中各项的名称。")
                      % {"detail": exc.message or exc}) from exc
    except SecurityError as exc:
        raise _refuse(_("模板使用了不允许的写法（%(detail)s）。") % {"detail": exc}) from exc
    except TemplateError as exc:
        raise _refuse(_("模板无法用示例数据生成（%(detail)s）。") % {"detail": exc.message or exc}) from exc
    except Exception as exc:  # noqa: BLE001 - a broken template can make docxtpl or python-docx fail anywhere
        raise _refuse(_("模板无法用示例数据生成（%(detail)s）。") % {"detail": exc}) from exc


def max_template_bytes() -> int:
    return settings.ANZHI_DOC_TEMPLATE_MAX_MB * 1024 * 1024
