"""Every page a user reaches by following links renders, with every optional relation empty, and holds
nothing the Content-Security-Policy would refuse.

Two classes of hole are caught here for every module, present and future:

* a template that looks through an optional relation (``{{ a.b.c|default:a.b.d }}``, ``{% url … a.b.pk %}``)
  raises when ``b`` is empty — a 500 for every user who opens the page (the risk report with no 报告人);
* HTML built in Python (template tags, charts) carrying an inline script, event handler or style, which
  the browser refuses under the policy (the template files themselves are checked in
  core/tests/test_csp.py).

The crawl starts, for each demo role, at every page of the site without arguments, follows every link
(GET pages only) and opens one page of each kind (URL name), after the demo data was loaded and every
optional relation of every row of the project's own models emptied."""

from __future__ import annotations

import io
import re
from collections import defaultdict, deque
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import IntegrityError, models, transaction
from django.test import Client
from django.urls import Resolver404, URLResolver, get_resolver, resolve

from accounts.models import User
from core.bootstrap import loaders
from tests.html_policy import policy_violations
from tests.personas import World
from tests.test_forms_policy import unstyled_controls

# Rows whose optional relations give identity or shape, not content: emptying them would change who
# sees what (a user's unit), cut the territorial tree, or is refused (the append-only change log).
KEEP = {"accounts.user", "orgs.jurisdiction", "orgs.unit", "core.changeevent", "core.chainhead"}
PERSONAS = ["anweiban", "yingji", "dongshan", "shanzao", "qiye", "qiye2", "zhifa", "zhuanjia", "sysadmin",
            "secadmin", "auditadmin"]
MUST_VISIT = {"risk:report", "risk:site_plan", "risk:map", "risk:point", "hazards:detail", "hazards:circular",
              "hazards:stats_detail", "campaigns:task_detail", "campaigns:overview", "escalation:item_detail",
              "enterprises:detail", "ledgers:detail", "notifications:inbox", "audit:events", "documents:type",
              "documents:version"}
PER_KIND = 1  # instances of each kind of page opened by each persona
SKIP_PREFIXES = ("/accounts/logout/", "/sysadmin/", "/api/", "/i18n/", "/jsi18n/", "/files/", "/static/", "/media/", "/healthz")
SKIP_SUFFIXES = (".xlsx", ".docx", ".csv", ".pdf", ".zip")
HREF = re.compile(r'href="([^"#][^"]*)"')


def _more_rows() -> None:
    """What the demo data leaves out, made through the services: a 督办事项, a line of the 两个清单, a
    progress report, a 双报告 statistics report, a 通报, the reminders and escalations of a sweep, and an
    office's own version of a document template."""
    import datetime as dt

    from django.utils import timezone

    from campaigns.choices import ListKind, ReportedStatus
    from campaigns.models import Campaign, TaskUnit
    from campaigns.twolists import list_item_save
    from campaigns.workflow import report_submit
    from escalation.services import sweep
    from escalation.supervision import item_assign
    from hazards.choices import PeriodKind
    from hazards.statistics import stats_report_submit
    from hazards.supervision import circular_issue
    from orgs.models import Unit

    today = timezone.localdate()
    office, township, company = (User.objects.get(username=u) for u in ("anweiban", "dongshan", "qiye"))
    item_assign(actor=office, title="检查督办事项", assignee=Unit.objects.get(name="东山街道"),
                deadline=today + dt.timedelta(days=10), description="说明")
    # The demo archives the 2020 seed (read-only history, crawled as such): the rows that need a live campaign
    # go to one the office runs now, made through the services as the office would.
    from campaigns import lifecycle, services
    from campaigns.choices import PlanKind, StageAction, UnitRole
    from campaigns.units import Resolution, resolve_into

    seed = Campaign.objects.order_by("pk").first()
    campaign = services.campaign_create(actor=office, name="检查用行动", starts_on=today - dt.timedelta(days=30),
                                        ends_on=today + dt.timedelta(days=700), office_unit=seed.office_unit,
                                        jurisdiction=seed.jurisdiction)
    campaign = lifecycle.campaign_transition(actor=office, campaign=campaign, action=StageAction.START)
    plan = services.plan_save(actor=office, campaign=campaign, kind=PlanKind.MASTER, code="master", title="总方案",
                              short_name="总方案")
    units = Resolution()
    resolve_into(units, township.unit.name, UnitRole.LEAD)
    services.task_create(actor=office, plan=plan, title="检查任务", units=units.assignments,
                         **services.deadline_values(f"{today.year}年{today.month}月{min(today.day, 28)}日",
                                                    default_year=today.year))
    list_item_save(actor=township, campaign=campaign, unit=township.unit, kind=ListKind.PROBLEM, item="检查问题",
                   deadline_text="")
    link = TaskUnit.objects.filter(unit=township.unit, task__campaign=campaign).select_related("task").first()
    report_submit(actor=township, task=link.task, reported_status=ReportedStatus.IN_PROGRESS, narrative="进展",
                  percent=30)
    stats_report_submit(actor=company, enterprise=company.enterprise, kind=PeriodKind.YEAR, year=today.year - 1,
                        principal="负责人")
    circular_issue(today=today + dt.timedelta(days=400))
    from documents.registry import get_type
    from documents.services import template_activate, template_upload
    from documents.tests.helpers import edited, upload

    template_activate(actor=office, template=template_upload(
        actor=office, doc_type=get_type("campaign_monthly"), file=upload(edited("campaign_monthly"))))
    sweep(today=today + dt.timedelta(days=400))


def _empty_optional_relations() -> list[str]:
    """Set every nullable foreign key of the project's own models to NULL; return what could not be."""
    refused = []
    for model in apps.get_models():
        label = model._meta.label_lower
        app_path = Path(model._meta.app_config.path)
        ours = app_path.is_relative_to(settings.BASE_DIR) and "site-packages" not in app_path.parts
        if not ours or label in KEEP or model._meta.proxy:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.ForeignKey) and field.null:
                rows = model._base_manager.filter(**{f"{field.name}__isnull": False})
                ids = list(rows.values_list("pk", flat=True))
                try:
                    with transaction.atomic():
                        model._base_manager.filter(pk__in=ids).update(**{field.name: None})
                except IntegrityError:
                    refused.append(f"{label}.{field.name}")
    return refused


def _links(html: str) -> list[str]:
    found = []
    for raw in HREF.findall(html):
        url = urldefrag(raw.replace("&amp;", "&"))[0]
        parts = urlsplit(url)
        if parts.scheme or parts.netloc:
            continue
        path = parts.path if parts.path.startswith("/") else None
        if not path or path.startswith(SKIP_PREFIXES) or path.endswith(SKIP_SUFFIXES) or "export=" in parts.query:
            continue
        found.append(path + (f"?{parts.query}" if parts.query else ""))
    return found


def _seeds() -> list[str]:
    """Every page of the site without arguments (lists, forms, dashboards), linked or not."""
    seeds = ["/"]

    def walk(resolver: URLResolver, prefix: str) -> None:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                walk(entry, prefix + str(entry.pattern))
            elif not entry.pattern.converters and not entry.pattern.regex.groupindex:
                route = prefix + str(entry.pattern)
                if "^" not in route and "(" not in route:
                    seeds.append("/" + route)

    walk(get_resolver(), "")
    return [s for s in seeds if not s.startswith(SKIP_PREFIXES) and not s.endswith(SKIP_SUFFIXES)]


def _kind(path: str) -> str | None:
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return None
    return match.view_name


@pytest.mark.django_db(transaction=False)
def test_every_linked_page_renders_with_optional_relations_empty(world: World) -> None:
    for loader in loaders(demo=True):
        call_command(loader.command, *loader.args, stdout=io.StringIO())
    _more_rows()
    refused = _empty_optional_relations()
    problems: list[str] = []
    visited: set[str] = set()
    for username in PERSONAS:
        client = Client(raise_request_exception=True)
        client.force_login(User.objects.get(username=username))
        seen: set[str] = set()
        per_kind: dict[str, int] = defaultdict(int)
        queue = deque(_seeds())
        while queue:
            path = queue.popleft()
            if path in seen:
                continue
            seen.add(path)
            kind = _kind(path)
            if kind is None or per_kind[kind] >= PER_KIND:
                continue
            per_kind[kind] += 1
            try:
                response = client.get(path)
            except Exception as exc:  # noqa: BLE001 - every crash is a finding
                problems.append(f"{username} {path}: {type(exc).__name__}: {exc}")
                continue
            visited.add(kind)
            if response.status_code >= 500:
                problems.append(f"{username} {path}: {response.status_code}")
            if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                continue
            html = response.content.decode()
            problems.extend(f"{username} {path}: {v}" for v in policy_violations(html))
            problems.extend(f"{username} {path}: {v}" for v in unstyled_controls(html))
            queue.extend(_links(html))
    assert not problems, "\n".join(problems)
    assert not refused, f"could not empty: {refused}"
    # The crawl must keep reaching the pages that show optional relations (else it proves nothing).
    assert MUST_VISIT <= visited, f"never reached: {sorted(MUST_VISIT - visited)}"
