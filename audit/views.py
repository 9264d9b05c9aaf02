"""The audit trail, for the audit administrator only (三员分立)."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.choices import Role
from audit.filters import ChangeEventFilter
from core import audit as audit_log
from core.chain import verify_chain
from core.listing import ScopedListView
from core.models import ChangeEvent
from core.permissions import roles_required


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
        (_("操作"), lambda e: e.action),
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


@roles_required(Role.AUDITADMIN)
@require_POST
def verify_view(request: HttpRequest) -> HttpResponse:
    report = verify_chain()
    from django.db import transaction

    with transaction.atomic():
        audit_log.record(action="verify_chain", object_type="core.changeevent", success=report.ok,
                         note=_("检查 %(n)d 条，问题 %(p)d 处") % {"n": report.checked, "p": len(report.problems)})
    if report.ok:
        messages.success(request, _("校验通过：共 %(n)d 条事件，哈希链完整。") % {"n": report.checked})
    else:
        messages.error(request, _("校验失败：") + "；".join(report.problems[:20]))
    return redirect("audit:events")
