"""Serving attachments: only to someone who can see the object they belong to."""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest
from django.shortcuts import get_object_or_404

from core.models import Attachment


@login_required
def download(request: HttpRequest, pk: int) -> FileResponse:
    attachment = get_object_or_404(Attachment, pk=pk)
    try:
        model = apps.get_model(attachment.owner_type)
    except (LookupError, ValueError) as exc:
        raise Http404 from exc
    manager = model._default_manager
    if not hasattr(manager, "visible_to") or not manager.visible_to(request.user).filter(pk=attachment.owner_id).exists():
        raise Http404
    inline = attachment.is_image or attachment.content_type == "application/pdf"
    response = FileResponse(attachment.file.open("rb"), content_type=attachment.content_type,
                            as_attachment=not inline, filename=attachment.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response
