"""督办事项 pages: the office assigns, the unit reports done, the office closes or returns."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.choices import Role
from core.formats import cn_date
from core.forms import add_service_error
from core.listing import ScopedListView
from core.models import ChangeEvent
from core.permissions import business_required, roles_required
from core.scoping import get_visible_or_404
from escalation import selectors, supervision
from escalation.choices import ItemStatus
from escalation.filters import ItemFilter
from escalation.forms import EscalateForm, ExtendForm, ItemForm, NoteForm
from escalation.models import SupervisionItem
from workdays import services as workdays


class ItemListView(ScopedListView):
    model = SupervisionItem
    filterset_class = ItemFilter
    template_name = "escalation/item_list.html"
    sort_fields: ClassVar[dict[str, str]] = {"deadline": "deadline", "assignee": "assignee__name",
                                             "created": "created_at"}
    default_sort = "deadline"
    export_filename = "督办事项.xlsx"
    export_columns = (
        (_("督办事项"), lambda i: i.title),
        (_("承办单位"), lambda i: i.assignee.name),
        (_("办结期限"), lambda i: i.deadline),
        (_("原定期限"), lambda i: i.original_deadline),
        (_("状态"), lambda i: i.get_status_display()),
        (_("交办时间"), lambda i: timezone.localtime(i.created_at).strftime("%Y-%m-%d %H:%M")),
    )

    def decorate(self, qs: QuerySet) -> QuerySet:
        return qs.select_related("assignee")

    def get_context(self, **kwargs: Any) -> dict[str, Any]:
        kwargs["can_create"] = self.request.user.has_role(Role.OFFICE)
        kwargs["today"] = timezone.localdate()
        return kwargs


@roles_required(Role.OFFICE)
def item_create(request: HttpRequest) -> HttpResponse:
    form = ItemForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            item = supervision.item_assign(actor=request.user, **form.cleaned_data)
            messages.success(request, _("已交办：%(t)s") % {"t": item.title})
            return redirect("escalation:item_detail", pk=item.pk)
        except ValidationError as exc:
            add_service_error(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
    return render(request, "escalation/item_form.html", {"form": form})


@business_required
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_visible_or_404(SupervisionItem.objects.select_related("assignee", "assigned_by", "assigning_unit"),
                              request.user, pk=pk)
    today = timezone.localdate()
    user = request.user
    records = selectors.record_history(user).filter(source_key=supervision.SOURCE_KEY, object_id=item.pk)
    return render(request, "escalation/item_detail.html", {
        "item": item, "events": item.events.select_related("actor"), "records": records,
        "history": ChangeEvent.objects.for_object(item)[:100],
        "is_office": user.has_role(Role.OFFICE), "is_assignee": user.unit_id == item.assignee_id,
        "overdue": item.status == ItemStatus.OPEN and item.deadline < today,
        "over": workdays.workdays_between(item.deadline, today) if item.deadline < today else 0,
        "left": workdays.workdays_between(today, item.deadline) if item.deadline >= today else 0,
        "calendar_note": workdays.calendar_note(item.deadline),
        "done_form": NoteForm(), "review_form": NoteForm(), "extend_form": ExtendForm(),
        "escalate_form": EscalateForm(), "source_key": supervision.SOURCE_KEY,
    })


@business_required
@require_POST
def item_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    item = get_visible_or_404(SupervisionItem.objects.all(), request.user, pk=pk)
    form: Form = ExtendForm(request.POST) if action == "extend" else NoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("escalation:item_detail", pk=item.pk)
    note = form.cleaned_data.get("note", "")
    try:
        if action == "done":
            supervision.item_report_done(actor=request.user, item=item, note=note)
            messages.success(request, _("已报告办结，等待安委办销号。"))
        elif action in ("close", "return"):
            supervision.item_review(actor=request.user, item=item, accept=action == "close", note=note)
            messages.success(request, _("已销号。") if action == "close" else _("已退回承办单位。"))
        elif action == "extend":
            supervision.item_extend(actor=request.user, item=item, deadline=form.cleaned_data["deadline"], note=note)
            messages.success(request, _("期限已延至 %(d)s，督办阶梯重新计算。") % {
                "d": cn_date(form.cleaned_data["deadline"])})
        else:
            raise Http404
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("您没有执行此操作的权限。"))
    return redirect("escalation:item_detail", pk=item.pk)
