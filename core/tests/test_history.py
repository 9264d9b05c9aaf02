"""An object's history reads as words, names, Chinese values and local time (core.history)."""

from __future__ import annotations

import pathlib
import re

import pytest
from django.conf import settings
from django.test import Client

from core import audit
from core.audit_actions import LEGACY
from core.history import GENERIC_ACTION, action_label, readable
from core.models import ChangeEvent
from hazards.choices import Grade
from hazards.tests.factories import enterprise_hazard, fill_plan
from risk.models import RiskPoint
from tests.personas import PASSWORD

ASCII_WORD = re.compile(r"[A-Za-z]{3,}")
ISO_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d")


def _action_names() -> set[str]:
    """Every action name the code writes (string literals on lines about actions), and every current name."""
    apps = {cfg.label for cfg in __import__("django.apps").apps.apps.get_app_configs()
            if pathlib.Path(cfg.path).is_relative_to(settings.BASE_DIR)}
    names: set[str] = set(LEGACY.values())
    for app in apps:
        for path in (pathlib.Path(settings.BASE_DIR) / app).rglob("*.py"):
            if "tests" in path.parts or "migrations" in path.parts:
                continue
            for line in path.read_text(encoding="utf-8").splitlines():
                if "action" in line or "audit" in line:
                    names.update(n for n in re.findall(r'"([a-z_]+\.[a-z_]+)"', line)
                                 if n.split(".")[0] in apps)
    model_labels = {m._meta.label_lower for m in __import__("django.apps").apps.apps.get_models()}
    return names - model_labels


def test_every_action_the_code_writes_has_chinese_words() -> None:
    names = _action_names()
    assert len(names) > 100
    raw = {name: action_label(name) for name in names
           if ASCII_WORD.search(action_label(name)) or action_label(name) == str(GENERIC_ACTION)}
    assert raw == {}, "add the verb or noun to core.history.VERBS/NOUNS"


def test_every_workflow_move_reads_as_its_label() -> None:
    from core.workflow import WORKFLOWS

    for workflow in WORKFLOWS.values():
        for key in workflow:
            move = workflow[key]
            assert action_label(workflow.audit_name(move)) and not ASCII_WORD.search(action_label(workflow.audit_name(move)))


@pytest.mark.django_db
def test_hazard_history_shows_labels_names_and_local_time(world) -> None:
    hazard = enterprise_hazard(world, grade=Grade.MAJOR)
    fill_plan(world, hazard)
    rows = readable(ChangeEvent.objects.for_object(hazard))
    text = "\n".join(f"{r.action} " + " ".join(f"{c.label}:{c.before}->{c.after}" for c in r.changes) for r in rows)
    assert "东山测试钢铁有限公司" in text  # the enterprise by name, not its id
    assert "东山街道" in text
    assert "重大事故隐患" in text  # the grade's label
    assert "整改责任人" in text  # a field of the rectification plan by its label
    for raw in ("hazards.", "registered", "responsible_person", "enterprise:", "jurisdiction_path", "dedupe_key"):
        assert raw not in text
    assert not ISO_TIME.search(text)


@pytest.mark.django_db
def test_stored_values_are_shown_the_chinese_way(world) -> None:
    hazard = enterprise_hazard(world)
    with audit.audit_context(source=audit.Source.COMMAND):
        audit.record(action="hazards.update", obj=hazard, actor=None, changes={
            "found_at": [None, "2026-03-01T16:30:00+00:00"],  # UTC in the log; 3月2日 00:30 in Shanghai
            "deadline": ["2026-03-01", "2026-04-01"],
            "status": ["registered", "assessed"],
            "jurisdiction_path": ["/1/2/", "/1/3/"],
            "funds": [None, "4E+1"],
            "enterprise": [None, 2 ** 40],
            "from": [None, "2026-05-04"],  # a key that is no field: a date is still a date
        })
        audit.record(action="notifications.notify", obj=hazard, actor=None,
                     changes={"recipients": [1, 2], "dedupe_key": "x"}, note="发送消息给 2 人")
    rows = readable(ChangeEvent.objects.for_object(hazard))
    assert all(r.action != action_label("notifications.notify") for r in rows)  # bookkeeping left out
    latest = next(r for r in rows if r.event.action == "hazards.update")
    changes = {c.label: (c.before, c.after) for c in latest.changes}
    assert changes["发现时间"] == (None, "2026年3月2日 00:30:00")
    assert changes["整改期限"] == ("2026年3月1日", "2026年4月1日")
    assert changes["状态"] == ("已登记", "已定级")
    assert "40" in str(changes["整改资金（元）"][1]) and "E" not in str(changes["整改资金（元）"][1])
    assert "已删除" in str(changes["企业"][1])
    assert all("path" not in label for label in changes)
    assert changes["起始日期"] == (None, "2026年5月4日")


@pytest.mark.django_db
def test_history_queries_do_not_grow_with_events(world, django_assert_max_num_queries) -> None:
    hazard = enterprise_hazard(world)
    fill_plan(world, hazard)
    for _ in range(30):
        with audit.audit_context(source=audit.Source.COMMAND):
            audit.record(action="hazards.update", obj=hazard, actor=None,
                         changes={"enterprise": [None, world.enterprises["ent_a2"].pk], "finder": [None, 1]})
    events = list(ChangeEvent.objects.for_object(hazard))
    with django_assert_max_num_queries(4):
        readable(events)


@pytest.mark.django_db
def test_hazard_page_history_has_no_internal_words(world) -> None:
    hazard = enterprise_hazard(world, grade=Grade.MAJOR)
    fill_plan(world, hazard)
    client = Client()
    assert client.login(username="enterprise_a", password=PASSWORD)
    page = client.get(f"/hazards/{hazard.pk}/").content.decode()
    section = page[page.index('id="history"'):]
    section = section[: section.index("</section>")]
    for raw in ("hazards.", "registered", "<code>", "responsible_person", "notifications."):
        assert raw not in section
    assert not ISO_TIME.search(section)


@pytest.mark.django_db
def test_risk_codes_read_as_their_vocabulary(world) -> None:
    from risk import services as risk_services

    point = risk_services.risk_point_create(actor=world.user("enterprise_a"), enterprise=world.enterprises["ent_a1"],
                                            kind="area", name="煤气柜区域", hazard_factors=["22"],
                                            accident_types=["poisoning"])
    rows = readable(ChangeEvent.objects.for_object(RiskPoint.objects.get(pk=point.pk)))
    text = " ".join(str(c.after) for r in rows for c in r.changes)
    assert "poisoning" not in text and "中毒" in text


def _change_keys() -> dict[str, set[str]]:
    """Every literal key of a ``changes={…}`` the code passes to the change log, with the files that write it."""
    import ast

    from tests.source_walk import project_sources

    keys: dict[str, set[str]] = {}
    for rel, tree in project_sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                for kw in node.keywords:
                    if kw.arg == "changes" and isinstance(kw.value, ast.Dict):
                        for key in kw.value.keys:
                            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                                keys.setdefault(key.value, set()).add(rel.name)
    return keys


def test_every_change_key_the_code_writes_reads_as_words() -> None:
    """A key a service writes is hidden, a model field with a verbose name, or in KEY_LABELS: the history never shows
    ``failed`` or ``uuid`` to a person."""
    from django.apps import apps

    from core.history import HIDDEN_KEYS, KEY_LABELS

    named = {f.name for m in apps.get_models() for f in m._meta.get_fields()
             if str(getattr(f, "verbose_name", f.name)) != f.name.replace("_", " ")}
    keys = _change_keys()
    assert len(keys) > 40
    raw = {k: sorted(files) for k, files in keys.items() if k not in HIDDEN_KEYS | KEY_LABELS.keys() | named}
    assert raw == {}, "label the key in core.history.KEY_LABELS (or hide it in HIDDEN_KEYS)"
