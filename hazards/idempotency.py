"""``Idempotency-Key`` for the API's POSTs: a retry gets exactly what the first call got, never a second write.

The first call's answer (status, content type and the rendered bytes) is stored under (user, key) with a
fingerprint of the request. A retry with the same key and the same request gets those bytes back; the same key
with a different request is refused (409). The key is claimed *before* the write, in the write's transaction:
a retry that arrives while the first call is still running waits on the claim (the unique index) and then
replays the first call's answer, instead of attempting the move a second time and being told it is no longer
possible. A write that fails with a server error leaves no record (it was rolled back), so it may be retried."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils.translation import gettext as _
from rest_framework.request import Request
from rest_framework.response import Response

from hazards.models import IdempotencyRecord

HEADER = "Idempotency-Key"
MAX_KEY = 120
REPLAYED = "Idempotent-Replayed"
# Answers that are not the outcome of this request, so are not kept: a clash over the key, throttling.
NOT_STORED = (409, 429)


def conflict_message() -> str:
    return _("该 Idempotency-Key 已用于另一个内容不同的请求，请为新的请求使用新的键。")


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


def _replay(stored: IdempotencyRecord, fingerprint: str) -> HttpResponse:
    if stored.request_hash != fingerprint:
        return Response({"detail": conflict_message()}, status=409)
    response = HttpResponse(bytes(stored.content), status=stored.status_code, content_type=stored.content_type)
    response[REPLAYED] = "true"
    return response


def _rendered(view_self: Any, request: Request, response: Any, args: Any, kwargs: Any) -> Any:
    """Render now, exactly as DRF would on the way out, so the stored bytes are the bytes the client gets."""
    if isinstance(response, Response):
        response = view_self.finalize_response(request, response, *args, **kwargs)
    if hasattr(response, "render"):
        response.render()
    return response


def _store(user: Any, key: str, fingerprint: str, response: Any) -> None:
    data = getattr(response, "data", None)
    IdempotencyRecord.objects.filter(user=user, key=key).update(
        request_hash=fingerprint, status_code=response.status_code,
        content_type=response.get("Content-Type", "application/json"), content=response.content,
        body=json.loads(json.dumps(data, default=str)) if data is not None else {})


def idempotent(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    def wrapped(self: Any, request: Request, *args: Any, **kwargs: Any) -> Any:
        key = (request.headers.get(HEADER) or "").strip()
        if not key:
            return view(self, request, *args, **kwargs)
        if len(key) > MAX_KEY:
            return Response({"detail": _("Idempotency-Key 不能超过 %(n)s 个字符。") % {"n": MAX_KEY}}, status=400)
        fingerprint = request_hash(request)
        stored = IdempotencyRecord.objects.filter(user=request.user, key=key).first()
        if stored is not None:
            return _replay(stored, fingerprint)
        try:
            with transaction.atomic():
                try:
                    with transaction.atomic():
                        # Claim the key before writing; a concurrent retry blocks here until we are done.
                        IdempotencyRecord.objects.create(user=request.user, key=key, request_hash=fingerprint,
                                                         status_code=0)
                except IntegrityError:
                    raise _Claimed from None
                try:
                    response = _rendered(self, request, view(self, request, *args, **kwargs), args, kwargs)
                except Exception as exc:
                    # The write is undone; the refusal itself is the answer a retry must get again.
                    raise _Refused(self.handle_exception(exc)) from exc
                if response.status_code >= 500 or response.status_code in NOT_STORED:
                    raise _Refused(response, store=False)
                _store(request.user, key, fingerprint, response)
        except _Claimed:
            stored = IdempotencyRecord.objects.filter(user=request.user, key=key).exclude(status_code=0).first()
            if stored is None:
                return Response({"detail": _("相同 Idempotency-Key 的请求正在处理，请稍后重试。")}, status=409)
            return _replay(stored, fingerprint)
        except _Refused as refused:
            response = _rendered(self, request, refused.response, args, kwargs)
            if refused.store and 400 <= response.status_code < 500 and response.status_code not in NOT_STORED:
                try:
                    with transaction.atomic():
                        IdempotencyRecord.objects.create(user=request.user, key=key, request_hash=fingerprint,
                                                         status_code=0)
                        _store(request.user, key, fingerprint, response)
                except IntegrityError:  # a concurrent call with this key got there first; ours is not the first
                    pass
            return response
        return response

    return wrapped


class _Claimed(Exception):
    """Another call holds (or held) this key."""


class _Refused(Exception):
    """The view answered with an error: roll the write (and the claim) back, then decide what to keep."""

    def __init__(self, response: Any, *, store: bool = True) -> None:
        super().__init__(response.status_code)
        self.response = response
        self.store = store
