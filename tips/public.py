"""The public pages of the tips app (no account): report, follow by tracking code, the 曝光台 (exposure board).

Abuse control (``tips.limits``): a request body above the photo limits is refused before it is read; then the
per-address limits, the one-use arithmetic challenge, the form and the service's checks (nh3, sizes, content of
photos). Nothing internal reaches these pages: the tracking page shows the public status wording, dates and
the reply only."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from core.filters import parse_id
from core.forms import add_service_error
from core.net import client_ip
from enterprises.models import Enterprise
from tips import exposure, limits, services
from tips.choices import PUBLIC_LABELS, TipStatus
from tips.forms import TipForm, TrackForm, places


def _refused(request: HttpRequest, message: str, status: int = 429) -> HttpResponse:
    return render(request, "tips/public_refused.html", {"message": message}, status=status)


def _max_body() -> int:
    return (settings.ANZHI_TIPS_MAX_PHOTOS * settings.ANZHI_TIPS_PHOTO_MAX_MB + 1) * 1024 * 1024


def _prefill(request: HttpRequest) -> dict[str, Any]:
    initial: dict[str, Any] = {}
    place = parse_id(request.GET.get("j"))
    if place is not None and places().filter(pk=place).exists():
        initial["jurisdiction"] = place
    ent_id = parse_id(request.GET.get("e"))
    enterprise = Enterprise.objects.filter(pk=ent_id).select_related("jurisdiction").first() if ent_id else None
    if enterprise is not None:
        initial.update(enterprise=enterprise.pk, subject=enterprise.name, address=enterprise.address)
        town = places().filter(pk__in=[int(p) for p in enterprise.jurisdiction_path.strip("/").split("/")]).first()
        if town is not None:
            initial["jurisdiction"] = town.pk
    return initial


def _with_challenge(form: TipForm) -> tuple[TipForm, str]:
    question, token = limits.challenge()
    form.data = form.data.copy() if form.is_bound else form.data
    if form.is_bound:
        form.data["token"] = token
        form.data["answer"] = ""
    else:
        form.initial["token"] = token
    return form, question


@never_cache
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > _max_body():
            return _refused(request, _("提交的内容太大：照片最多%(n)d张，每张不超过%(m)d MB。") % {
                "n": settings.ANZHI_TIPS_MAX_PHOTOS, "m": settings.ANZHI_TIPS_PHOTO_MAX_MB}, status=413)
        address = client_ip(request)
        table = limits.limits()
        if not (limits.hit(table["submit"], address) and limits.hit(table["submit_day"], address)):
            return _refused(request, _("提交过于频繁，请稍后再试。情况紧急请拨打12350安全生产举报电话。"))
        form = TipForm(request.POST, request.FILES)
        if form.is_valid():
            if not limits.challenge_passed(form.cleaned_data["token"], form.cleaned_data["answer"]):
                form.add_error("answer", _("验证答案不正确或已过期，请重新计算。"))
            else:
                data = form.cleaned_data
                enterprise = (Enterprise.objects.filter(pk=data["enterprise"]).first()
                              if data.get("enterprise") else None)
                try:
                    tip = services.tip_submit(
                        kind=data["kind"], description=data["description"], jurisdiction=data["jurisdiction"],
                        address=data["address"], enterprise=enterprise, subject=data["subject"],
                        longitude=data["longitude"], latitude=data["latitude"], name=data["name"],
                        phone=data["phone"], photos=request.FILES.getlist("photos"))
                except ValidationError as exc:
                    add_service_error(form, exc)
                else:
                    return render(request, "tips/public_done.html", {"code": services.show_code(tip.code)})
        form, question = _with_challenge(form)
    else:
        form, question = _with_challenge(TipForm(initial=_prefill(request)))
    return render(request, "tips/public_report.html", {"form": form, "question": question})


@never_cache
@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    form = TrackForm(request.POST or None)
    context: dict[str, Any] = {"form": form}
    if request.method == "POST" and form.is_valid():
        table = limits.limits()
        code = services.normal_code(form.cleaned_data["code"])
        if not (limits.hit(table["lookup"], client_ip(request)) and limits.hit(table["code"], code)):
            return _refused(request, _("查询过于频繁，请稍后再试。"))
        tip = services.tip_by_code(code)
        if tip is None:
            form.add_error("code", _("没有找到该查询码对应的举报，请核对后重新输入。"))
        else:
            steps = [(e.at, PUBLIC_LABELS.get(e.to_status, "")) for e in tip.events.all() if e.to_status]
            context.update(tip=tip, public_label=PUBLIC_LABELS[TipStatus(tip.status)], steps=steps,
                           rewarded=tip.status in (TipStatus.REWARD_APPROVED, TipStatus.PAID))
    return render(request, "tips/public_track.html", context)


def board(request: HttpRequest) -> HttpResponse:
    return render(request, "tips/public_board.html", {"sections": exposure.board(timezone.localdate())})
