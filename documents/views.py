"""The template pages: every document type with its variables, a unit's versions, upload, preview,
activate/restore, and the template and preview downloads."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.audit import object_label
from core.export import download, file_response
from core.forms import add_service_error
from core.models import Attachment, ChangeEvent
from core.permissions import business_required
from core.scoping import get_visible_or_404
from core.uploads import attachments_for
from documents import services
from documents.forms import TemplateUploadForm
from documents.models import ATTACHMENT_ROLE, DocumentTemplate, TemplateState
from documents.preview import blocks, header_footer_text
from documents.registry import DocumentType, all_types, get_type
from documents.rendering import check_template
from documents.rendering import render as render_docx
from documents.selectors import active_template, managed_unit, offices_covering, viewer_owners, viewer_path

SYNTAX_HELP = gettext_lazy(
    "在模板中写 {{ 变量名 }} 插入内容。列表按表格行循环：在一行的单元格里写 {%tr for p in plans %}，下一行的各列写 "
    "{{ p.label }} 等，再下一行写 {%tr endfor %}；可有可无的整段用 {%p if 变量 %} … {%p endif %}，各占一段；"
    "{{ post.phone or \"无\" }} 在内容为空时显示“无”。")


def _type(key: str) -> DocumentType:
    try:
        return get_type(key)
    except KeyError as exc:
        raise Http404 from exc


def _version(request: HttpRequest, pk: int) -> tuple[DocumentTemplate, DocumentType]:
    template = get_visible_or_404(DocumentTemplate.objects.select_related("unit"), request.user, pk=pk)
    return template, _type(template.doc_type)


def _named(template: DocumentTemplate) -> str:
    return f"（{template.unit.name}第{template.version}版）"


def _keys() -> list[str]:
    return [t.key for t in all_types()]


def _effective(user: Any, doc_type: DocumentType) -> tuple[DocumentTemplate | None, bytes]:
    chosen = active_template(doc_type.key, viewer_owners(user, doc_type))
    return chosen, chosen.file_bytes() if chosen is not None else doc_type.default_bytes()


@business_required
def type_list(request: HttpRequest) -> HttpResponse:
    types = all_types()
    offices = offices_covering(viewer_path(request.user))
    owners = {t.key: [u.pk for u in viewer_owners(request.user, t, offices)] for t in types}
    active = {(t.doc_type, t.unit_id): t for t in DocumentTemplate.objects.filter(
        state=TemplateState.ACTIVE, unit_id__in={pk for ids in owners.values() for pk in ids}).select_related("unit")}
    rows = [(t, next((active[(t.key, pk)] for pk in owners[t.key] if (t.key, pk) in active), None)) for t in types]
    return render(request, "documents/type_list.html", {
        "rows": rows, "unit": managed_unit(request.user)})


@business_required
def type_detail(request: HttpRequest, key: str) -> HttpResponse:
    doc_type = _type(key)
    unit = managed_unit(request.user, doc_type)
    form = TemplateUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if unit is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                template = services.template_upload(actor=request.user, doc_type=doc_type,
                                                    file=form.cleaned_data["file"], note=form.cleaned_data["note"])
            except (ValidationError, PermissionDenied) as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("已上传第 %(v)d 版。请检查下面的预览，确认无误后启用。") % {"v": template.version})
                return redirect("documents:version", pk=template.pk)
    versions = list(DocumentTemplate.objects.visible_to(request.user).filter(doc_type=key, unit=unit)) \
        if unit is not None else []
    files = {a.owner_id: a for a in _files(versions)}
    return render(request, "documents/type_detail.html", {
        "doc_type": doc_type, "unit": unit, "form": form, "current": active_template(key, viewer_owners(
            request.user, doc_type)), "versions": [(v, files.get(str(v.pk))) for v in versions],
        "own_active": any(v.state == TemplateState.ACTIVE for v in versions), "syntax_help": SYNTAX_HELP})


def _files(templates: list[DocumentTemplate]) -> list[Any]:
    """The stored file of each version, in one query."""
    if not templates:
        return []
    return list(Attachment.objects.filter(owner_type=object_label(templates[0]), role=ATTACHMENT_ROLE,
                                          owner_id__in=[str(t.pk) for t in templates]).select_related("uploaded_by"))


def _why_not(doc_type: DocumentType, template: DocumentTemplate) -> str:
    """The upload check's Chinese explanation of why a stored version no longer renders."""
    try:
        check_template(doc_type, template.file_bytes())
    except ValidationError as exc:
        return "；".join(exc.messages)
    except Exception:  # noqa: BLE001 - a missing file: the caller's own message stands
        return ""
    return ""


@business_required
def version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    template, doc_type = _version(request, pk)
    own = managed_unit(request.user, doc_type)
    preview, heads, problem = [], [], ""
    try:
        data = render_docx(doc_type.sample_context(), template.file_bytes())
        preview, heads = blocks(data), header_footer_text(data)
    except Exception as exc:  # noqa: BLE001 - a version checked under older variables may no longer render
        problem = _why_not(doc_type, template) or str(exc)
    return render(request, "documents/version_detail.html", {
        "template": template, "doc_type": doc_type, "can_manage": own is not None and own.pk == template.unit_id,
        "preview": preview, "heads": heads, "problem": problem, "file": attachments_for(template, ATTACHMENT_ROLE)
        .select_related("uploaded_by").last(), "history": ChangeEvent.objects.for_object(template)[:50]})


@require_POST
@business_required
def version_activate(request: HttpRequest, pk: int) -> HttpResponse:
    template = get_visible_or_404(DocumentTemplate.objects.all(), request.user, pk=pk)
    restoring = template.state == TemplateState.RETIRED
    try:
        services.template_activate(actor=request.user, template=template)
    except ValidationError as exc:
        messages.error(request, _("不能启用：%(m)s") % {"m": "；".join(exc.messages)})
        return redirect("documents:version", pk=template.pk)
    messages.success(request, _("已恢复第 %(v)d 版，之后生成的文书使用此版本。") % {"v": template.version} if restoring
                     else _("已启用第 %(v)d 版，之后生成的文书使用此版本。") % {"v": template.version})
    return redirect("documents:type", key=template.doc_type)


@require_POST
@business_required
def type_reset(request: HttpRequest, key: str) -> HttpResponse:
    doc_type = _type(key)
    retired = services.template_reset(actor=request.user, doc_type=doc_type)
    if retired is not None:
        messages.success(request, _("已停用本单位的模板，之后生成的文书使用上级或系统默认模板。"))
    return redirect("documents:type", key=key)


# -- downloads -------------------------------------------------------------------------------------
@download("docx", key=_keys, user_text=False)
@business_required
def template_download(request: HttpRequest, key: str) -> HttpResponse:
    """The template that serves the viewer's own documents now: their unit's, their office's, or the default."""
    doc_type = _type(key)
    chosen, data = _effective(request.user, doc_type)
    suffix = _named(chosen) if chosen is not None else "（系统默认）"
    return file_response(data, f"{doc_type.label}模板{suffix}.docx")


@download("docx", key=_keys, user_text=False)
@business_required
def default_download(request: HttpRequest, key: str) -> HttpResponse:
    doc_type = _type(key)
    return file_response(doc_type.default_bytes(), f"{doc_type.label}模板（系统默认）.docx")


@download("docx", pk=DocumentTemplate)
@business_required
def version_download(request: HttpRequest, pk: int) -> HttpResponse:
    template, doc_type = _version(request, pk)
    return file_response(template.file_bytes(), f"{doc_type.label}模板{_named(template)}.docx")


@download("docx", pk=DocumentTemplate)
@business_required
def version_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The version rendered with the sample data: what a document made from it will look like."""
    template, doc_type = _version(request, pk)
    try:
        data = render_docx(doc_type.sample_context(), template.file_bytes())
    except Exception as exc:  # noqa: BLE001 - see version_detail
        messages.error(request, _("该版本无法用示例数据生成：%(m)s") % {"m": _why_not(doc_type, template) or exc})
        return redirect(reverse("documents:version", args=[template.pk]))
    return file_response(data, f"{doc_type.label}预览{_named(template)}.docx")
