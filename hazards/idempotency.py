"""``Idempotency-Key`` for the API's POSTs: a retried request gets the stored response, not a second write."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.db import IntegrityError, transaction
from rest_framework.request import Request
from rest_framework.response import Response

from hazards.models import IdempotencyRecord

HEADER = "Idempotency-Key"
CONFLICT = "该 Idempotency-Key 已用于另一个内容不同的请求，请为新的请求使用新的键。"
IN_FLIGHT = "相同 Idempotency-Key 的请求正在处理，请稍后重试。"


def request_hash(request: Request) -> str:
    """Method + path + the body's content (files by their digest), stable across retries."""
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.path}\n".encode())
    if request.content_type.startswith("multipart/"):
        items = sorted((k, v) for k in request.data for v in request.data.getlist(k) if isinstance(v, str))
        digest.update(json.dumps(items, ensure_ascii=False).encode())
        for name in sorted(request.FILES):
            for upload in request.FILES.getlist(name):
                file_digest = hashlib.sha256()
                for chunk in upload.chunks():
                    file_digest.update(chunk)
                upload.seek(0)
                digest.update(f"{name}:{upload.size}:{file_digest.hexdigest()}".encode())
    else:
        try:
            data = request.data
            digest.update(json.dumps(data, ensure_ascii=False, sort_keys=True, default=str).encode())
        except Exception:  # unparsable body: the view will reject it; hash the raw bytes
            digest.update(request.body)
    return digest.hexdigest()


def idempotent(view: Callable[..., Response]) -> Callable[..., Response]:
    @wraps(view)
    def wrapped(self: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        key = (request.headers.get(HEADER) or "").strip()
        if not key:
            return view(self, request, *args, **kwargs)
        key = key[:120]
        fingerprint = request_hash(request)
        stored = IdempotencyRecord.objects.filter(user=request.user, key=key).first()
        if stored is not None:
            if stored.request_hash != fingerprint:
                return Response({"detail": CONFLICT}, status=409)
            response = Response(stored.body, status=stored.status_code)
            response["Idempotent-Replayed"] = "true"
            return response
        try:
            with transaction.atomic():
                response = view(self, request, *args, **kwargs)
                if 200 <= response.status_code < 300:
                    # Stored in the write's own transaction: a rolled-back write leaves no record.
                    IdempotencyRecord.objects.create(user=request.user, key=key, request_hash=fingerprint,
                                                     status_code=response.status_code,
                                                     body=json.loads(json.dumps(response.data, default=str)))
        except IntegrityError:
            return Response({"detail": IN_FLIGHT}, status=409)
        return response

    return wrapped
