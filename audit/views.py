"""The audit trail, for the audit administrator only (三员分立)."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.choices import Role
from audit import services
from audit.filters import ChangeEventFilter
from core.anchor import Checkpoint
from core.chain import latest_block
from core.listing import ScopedListView
from core.models import ChainBlock, ChangeEvent, UnsealedEvent
from core.permissions import roles_required

MAX_CHECKPOINT_UPLOAD = 64 * 1024  # a checkpoint or a manifest is a few hundred bytes


class EventListView(ScopedListView):
    model = ChangeEvent
    filterset_class = ChangeEventFilter
    template_name = "audit/event_list.html"
    roles = (Role.AUDITADMIN,)
    sort_fields = {"seq": "seq"}
    default_sort = "-seq"
    export_filename = "审计日志.xlsx"
    export_columns = [
        (_("序号"), lambda e: e.seq),
        (_("时间"), lambda e: e.occurred_at),
        (_("操作人"), lambda e: e.actor_label),
        (_("来源"), lambda e: e.get_source_display()),
        (_("IP地址"), lambda e: e.ip),
        (_("操作"), lambda e: e.action_name),
        (_("记录的操作名"), lambda e: e.action),  # as stored and hashed (an old name for older events)
        (_("是否成功"), lambda e: e.success),
        (_("对象类型"), lambda e: e.object_type),
        (_("对象编号"), lambda e: e.object_id),
        (_("对象"), lambda e: e.object_repr),
        (_("变更内容"), lambda e: e.changes),
        (_("说明"), lambda e: e.note),
        (_("哈希"), lambda e: e.hash),
    ]

    def base_queryset(self) -> QuerySet:
        # The audit trail is not business data: the audit administrator reads all of it.
        return ChangeEvent.objects.all()

    def get_context(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(**kwargs)
        # Two constant-cost queries: the sealer's head, and whether anything waits for the next seal.
        context["chain_head"] = ChainBlock.objects.filter(pk=latest_block()[0]).only("number", "sealed_at").first()
        context["unsealed_waiting"] = UnsealedEvent.objects.exists()
        return context


@roles_required(Role.AUDITADMIN)
@require_POST
def verify_view(request: HttpRequest) -> HttpResponse:
    extra = []
    upload = request.FILES.get("checkpoint")
    if upload is not None:
        try:
            if upload.size > MAX_CHECKPOINT_UPLOAD:
                raise ValueError(_("文件过大"))
            extra.append(Checkpoint.from_dict(json.loads(upload.read())))
        except ValueError as exc:
            messages.error(request, _("无法识别上传的检查点文件（%(error)s）：请上传此前导出的检查点，或备份中的 manifest.json。")
                           % {"error": exc})
            return redirect("audit:events")
    report = services.history_verify(actor=request.user, extra=extra)
    for note in report.notes:
        messages.warning(request, note)
    if report.ok:
        if report.latest_checkpoint is not None:
            messages.success(request, _("校验通过：共 %(n)d 条事件（%(b)d 个区块），记录完整，与 %(c)d 个检查点一致（最新 %(latest)s）。")
                             % {"n": report.checked, "b": report.blocks, "c": report.checkpoints,
                                "latest": report.latest_checkpoint.label()})
        else:
            messages.success(request, _("校验通过：共 %(n)d 条事件（%(b)d 个区块），记录完整。")
                             % {"n": report.checked, "b": report.blocks})
    else:
        messages.error(request, _("校验失败：") + "；".join(report.problems[:20]))
    return redirect("audit:events")


@roles_required(Role.AUDITADMIN)
@require_POST
def checkpoint_export_view(request: HttpRequest) -> HttpResponse:
    """Download a signed checkpoint of the latest block, to keep outside the system and hand back to 校验 later."""
    cp = services.checkpoint_export(actor=request.user)
    response = JsonResponse(cp.as_dict(), json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Content-Disposition"] = f'attachment; filename="anzhi-checkpoint-block-{cp.seq}.json"'
    return response
