from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from enterprises import services as ent_services
from ledgers import lapsing, selectors, services, workflow
from ledgers.choices import PermitStatus
from ledgers.models import SpecialEquipment, WorkerCertificate, WorkPermit
from ledgers.specs import SPECS
from tests.openapi import assert_matches_schema
from tests.personas import World

TODAY = dt.date(2026, 11, 29)

SAMPLES: dict[str, dict[str, Any]] = {
    "equipment": {"kind": "boiler", "name": "1号锅炉", "registered": True, "registration_number": "锅湘C0001",
                  "next_inspection": TODAY + dt.timedelta(days=10)},
    "certificates": {"person_name": "张三", "id_number": "430381199001011234", "operation_type": "welding",
                     "certificate_number": "T430381199001011234", "issued_on": dt.date(2021, 1, 1),
                     "expires_on": TODAY + dt.timedelta(days=10)},
    "permits": {"kind": "hot_work", "location": "二车间", "content": "管道焊接", "measures": "清理可燃物\n配灭火器",
                "starts_at": timezone.now(), "ends_at": timezone.now() + dt.timedelta(hours=8)},
    "trainings": {"title": "全员培训", "kind": "all_staff", "held_on": TODAY},
    "plans": {"title": "综合应急预案", "level": "comprehensive", "next_review": TODAY + dt.timedelta(days=5)},
    "drills": {"title": "消防演练", "kind": "field", "held_on": TODAY},
    "commitments": {"year": 2026, "principal": "王总", "content": "我承诺……", "signed_on": TODAY},
    "duties": {"duty": "inspect", "held_on": TODAY, "summary": "带队检查"},
}


def _make(world: World, key: str, ent_key: str) -> Any:
    return services.row_create(actor=None, model=SPECS[key].model, enterprise=world.enterprises[ent_key],
                               **SAMPLES[key])


@pytest.mark.parametrize("key", list(SPECS))
def test_every_ledger_is_scoped_by_territory_and_domain(client: Client, world: World, key: str) -> None:
    a1 = _make(world, key, "ent_a1")  # 东山, D12
    a2 = _make(world, key, "ent_a2")  # 东山, D3 (fire only)
    b1 = _make(world, key, "ent_b1")  # 山枣, D12
    model = SPECS[key].model
    seen = {k: set(model.objects.visible_to(world.user(k)).values_list("pk", flat=True))
            for k in ("office", "township_a", "regulator", "regulator_fire", "enterprise_a", "sysadmin")}
    assert seen["office"] >= {a1.pk, a2.pk, b1.pk}
    assert seen["township_a"] == {a1.pk, a2.pk}
    assert seen["regulator"] == {a1.pk, b1.pk}
    assert seen["regulator_fire"] == {a2.pk}
    assert seen["enterprise_a"] == {a1.pk}
    assert seen["sysadmin"] == set()
    # pages, export and API: outsiders get 404, exports hold only in-scope rows
    client.force_login(world.users["township_a"])
    assert client.get(f"/ledgers/{key}/{a1.pk}/").status_code == 200
    assert client.get(f"/ledgers/{key}/{b1.pk}/").status_code == 404
    assert client.get(f"/ledgers/{key}/{b1.pk}/edit/").status_code == 404
    export = client.get(f"/ledgers/{key}/", {"export": "xlsx"})
    import io

    from python_calamine import load_workbook
    rows = load_workbook(io.BytesIO(export.content)).get_sheet_by_index(0).to_python()
    names = {r[1] for r in rows[1:]}
    assert names == {world.enterprises["ent_a1"].name, world.enterprises["ent_a2"].name}
    response = client.get(f"/api/v1/ledgers/{key}/")
    assert response.status_code == 200
    assert_matches_schema(response, "get")
    assert {r["id"] for r in response.json()["results"]} == {a1.pk, a2.pk}
    assert client.get(f"/api/v1/ledgers/{key}/{b1.pk}/").status_code == 404
    client.force_login(world.users["enterprise_b"])
    assert client.get(f"/ledgers/{key}/{a1.pk}/").status_code == 404


def test_list_page_query_count_does_not_grow(client: Client, world: World, django_assert_max_num_queries) -> None:
    for i in range(15):
        services.row_create(actor=None, model=WorkerCertificate, enterprise=world.enterprises["ent_a1"],
                            **{**SAMPLES["certificates"], "id_number": f"43038119900101{i:04d}",
                               "certificate_number": f"C{i}"})
    client.force_login(world.users["office"])
    with django_assert_max_num_queries(14):
        response = client.get("/ledgers/certificates/")
    assert response.status_code == 200
    assert "4303811990010100" not in response.content.decode()  # ID numbers are masked in lists


def test_outsider_cannot_add_rows_to_another_enterprise(world: World) -> None:
    with pytest.raises(PermissionDenied):
        services.row_create(actor=world.user("enterprise_b"), model=SpecialEquipment,
                            enterprise=world.enterprises["ent_a1"], **SAMPLES["equipment"])
    with pytest.raises(PermissionDenied):
        services.row_create(actor=world.user("township_b"), model=SpecialEquipment,
                            enterprise=world.enterprises["ent_a1"], **SAMPLES["equipment"])


def test_registration_and_inspection_rates_are_computed_in_the_database(world: World) -> None:
    ent = world.enterprises["ent_a1"]
    base = SAMPLES["equipment"]
    specs = [(True, 10), (True, -1), (False, 10), (True, 100)]
    for i, (registered, days) in enumerate(specs):
        services.row_create(actor=None, model=SpecialEquipment, enterprise=ent,
                            **{**base, "name": f"设备{i}", "registered": registered,
                               "registration_number": "R" if registered else "",
                               "next_inspection": TODAY + dt.timedelta(days=days)})
    services.row_create(actor=None, model=SpecialEquipment, enterprise=ent,
                        **{**base, "name": "报废", "status": "scrapped", "registered": False, "registration_number": ""})
    rates = selectors.equipment_rates(SpecialEquipment.objects.visible_to(world.user("township_a")), TODAY)
    assert (rates["total"], rates["registered"], rates["inspected"]) == (4, 3, 3)
    assert rates["registration_rate"] == 75.0 and rates["inspection_rate"] == 75.0
    assert selectors.equipment_rates(SpecialEquipment.objects.visible_to(world.user("township_b")), TODAY)[
        "registration_rate"] is None


def test_zero_out_counts_persons_without_a_valid_certificate(world: World) -> None:
    ent = world.enterprises["ent_a1"]
    c = SAMPLES["certificates"]
    services.row_create(actor=None, model=WorkerCertificate, enterprise=ent, **c)  # valid
    services.row_create(actor=None, model=WorkerCertificate, enterprise=ent,
                        **{**c, "id_number": "430381199001015678", "certificate_number": "X",
                           "expires_on": TODAY - dt.timedelta(days=1)})  # expired
    services.row_create(actor=None, model=WorkerCertificate, enterprise=ent,
                        **{**c, "id_number": "43038119900101999X", "certificate_number": "",
                           "expires_on": None})  # no certificate at all
    out = selectors.certificate_zero_out(WorkerCertificate.objects.visible_to(world.user("office")), TODAY)
    assert (out["persons"], out["without_valid"]) == (3, 2)


def test_renewed_certificate_supersedes_the_old_one(world: World) -> None:
    ent = world.enterprises["ent_a1"]
    old = services.row_create(actor=None, model=WorkerCertificate, enterprise=ent, **SAMPLES["certificates"])
    services.row_create(actor=None, model=WorkerCertificate, enterprise=ent,
                        **{**SAMPLES["certificates"], "certificate_number": "NEW",
                           "expires_on": TODAY + dt.timedelta(days=2000)})
    old.refresh_from_db()
    assert old.superseded
    items = lapsing.due_items(world.user("office"), today=TODAY, kinds=["worker_certificate"])
    assert items == []


def test_expiring_list_shows_items_of_the_scope_only(client: Client, world: World) -> None:
    _make(world, "certificates", "ent_a1")
    _make(world, "certificates", "ent_b1")
    ent_services.licence_create(actor=None, enterprise=world.enterprises["ent_a1"], kind="safety", number="L1",
                                valid_until=TODAY - dt.timedelta(days=3))
    items = lapsing.due_items(world.user("township_a"), today=TODAY)
    assert {(i.kind.key, i.enterprise.pk) for i in items} == {
        ("worker_certificate", world.enterprises["ent_a1"].pk), ("licence", world.enterprises["ent_a1"].pk)}
    assert [i.overdue for i in items] == [True, False]
    counts = {c["kind"].key: (c["overdue"], c["soon"]) for c in lapsing.due_counts(world.user("township_a"),
                                                                                   today=TODAY)}
    assert counts["licence"] == (1, 0) and counts["worker_certificate"] == (0, 1)
    client.force_login(world.users["township_b"])
    html = client.get("/ledgers/expiring/").content.decode()
    assert world.enterprises["ent_b1"].name in html and world.enterprises["ent_a1"].name not in html


# -- permits ---------------------------------------------------------------------------------------------

def _permit_world(world: World) -> tuple[WorkPermit, Any, Any]:
    from accounts import services as account_services
    from accounts.models import User

    ent = world.enterprises["ent_a1"]
    approver = User.objects.filter(username="approver_a1").first()
    if approver is None:
        approver = account_services.user_create(actor=None, username="approver_a1", password="Persona#2026",
                                                full_name="审批人", enterprise=ent, must_change_password=False)
        account_services.role_grant(actor=None, user=approver, role="enterprise")
    ent_services.enterprise_update(actor=None, enterprise=ent, safety_manager_user=approver)
    applicant = world.user("enterprise_a")
    permit = services.row_create(actor=applicant, model=WorkPermit, enterprise=ent, **SAMPLES["permits"])
    return permit, applicant, User.objects.select_related("enterprise").get(pk=approver.pk)


def test_permit_happy_path_and_applicant_cannot_approve(world: World) -> None:
    permit, applicant, approver = _permit_world(world)
    with pytest.raises(ValidationError):
        services.permit_transition(permit=permit, to="checked", actor=applicant, confirmed=[0])
    services.permit_transition(permit=permit, to="checked", actor=applicant, confirmed=[0, 1])
    with pytest.raises(PermissionDenied):
        services.permit_transition(permit=permit, to="approved", actor=applicant)
    with pytest.raises(PermissionDenied):
        services.permit_transition(permit=permit, to="approved", actor=world.user("township_a"))
    services.permit_transition(permit=permit, to="approved", actor=approver)
    services.permit_transition(permit=permit, to="closed", actor=applicant)
    permit.refresh_from_db()
    assert permit.status == "closed" and permit.approved_by_id == approver.pk
    assert [e.to_status for e in permit.events.all()] == ["applied", "checked", "approved", "closed"]


def test_open_permit_past_its_window_is_flagged(world: World) -> None:
    permit, _a, _b = _permit_world(world)
    WorkPermit.objects.filter(pk=permit.pk).update(ends_at=timezone.now() - dt.timedelta(hours=1))
    items = lapsing.due_items(world.user("township_a"), kinds=["open_permit"])
    assert [i.row.pk for i in items] == [permit.pk] and items[0].overdue


ACTORS = ["applicant", "approver", "township", "other_enterprise"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.sampled_from(list(PermitStatus.values)), st.sampled_from(ACTORS)), max_size=8))
def test_permit_state_machine_only_follows_the_table(world: World, steps: list[tuple[str, str]]) -> None:
    permit, applicant, approver = _permit_world(world)
    actors = {"applicant": applicant, "approver": approver, "township": world.user("township_a"),
              "other_enterprise": world.user("enterprise_b")}
    history = [permit.status]
    for to, who in steps:
        actor = actors[who]
        permit.refresh_from_db()
        rule = workflow.TRANSITIONS.get((permit.status, to))
        expected = rule is not None and rule(actor, permit)
        try:
            services.permit_transition(permit=permit, to=to, actor=actor, confirmed=[0, 1], note="理由")
            ok = True
        except (ValidationError, PermissionDenied):
            ok = False
        assert ok == expected
        permit.refresh_from_db()
        if ok:
            history.append(permit.status)
            if to == PermitStatus.APPROVED:
                assert permit.approved_by_id == approver.pk != permit.applicant_id
    if PermitStatus.CLOSED in history:
        assert PermitStatus.APPROVED in history
    assert permit.status in PermitStatus.values


def test_ledger_import_is_all_or_nothing_and_reimport_updates(world: World) -> None:
    import io

    import xlsxwriter

    from ledgers.importer import columns, import_rows

    spec = SPECS["equipment"]
    cols = columns(spec)

    def book(rows: list[dict[str, Any]]) -> io.BytesIO:
        buf = io.BytesIO()
        b = xlsxwriter.Workbook(buf, {"in_memory": True})
        ws = b.add_worksheet()
        for j, c in enumerate(cols):
            ws.write(0, j, c.header)
        for i, r in enumerate(rows, start=1):
            for j, c in enumerate(cols):
                ws.write(i, j, r.get(c.key, ""))
        b.close()
        buf.seek(0)
        return buf

    code = world.enterprises["ent_a1"].credit_code
    good = {"_credit_code": code, "kind": "锅炉", "name": "2号锅炉", "factory_number": "F2", "registered": "是",
            "registration_number": "R2", "next_inspection": "2027-01-01", "status": "在用"}
    bad = {**good, "factory_number": "F3", "next_inspection": "明年"}
    actor = world.user("township_a")
    result = import_rows(actor=actor, spec=spec, file=book([good, bad]))
    assert not result.ok and result.errors[0].row == 3 and SpecialEquipment.objects.count() == 0
    result = import_rows(actor=actor, spec=spec, file=book([good]))
    assert result.created == 1
    result = import_rows(actor=actor, spec=spec, file=book([{**good, "location": "锅炉房"}]))
    assert (result.created, result.updated) == (0, 1)
    assert SpecialEquipment.objects.get().location == "锅炉房"
    outside = {**good, "_credit_code": world.enterprises["ent_b1"].credit_code}
    assert not import_rows(actor=actor, spec=spec, file=book([outside])).ok


def test_enterprise_page_shows_ledgers_and_public_commitment(client: Client, world: World) -> None:
    for key in SPECS:
        _make(world, key, "ent_a1")
    client.force_login(world.users["enterprise_a"])
    html = client.get(f"/enterprises/{world.enterprises['ent_a1'].pk}/").content.decode()
    assert "1号锅炉" in html and "张三" in html and "带领" not in html
    client.logout()
    public = client.get(f"/ledgers/public/commitments/{world.enterprises['ent_a1'].pk}/2026/")
    assert public.status_code == 200 and "我承诺" in public.content.decode()
    assert client.get(f"/ledgers/public/commitments/{world.enterprises['ent_b1'].pk}/2026/").status_code == 404


@pytest.mark.parametrize("key", list(SPECS))
def test_ledger_list_pages_have_bounded_queries(client: Client, world: World, key: str,
                                                django_assert_max_num_queries) -> None:
    for ent_key in ("ent_a1", "ent_a2", "ent_b1"):
        _make(world, key, ent_key)
    client.force_login(world.users["office"])
    with django_assert_max_num_queries(14):
        assert client.get(f"/ledgers/{key}/").status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(f"/ledgers/{key}/", {"enterprise": world.enterprises["ent_a1"].pk}).status_code == 200


def test_expiring_and_enterprise_pages_have_bounded_queries(client: Client, world: World,
                                                            django_assert_max_num_queries) -> None:
    for key in SPECS:
        _make(world, key, "ent_a1")
    client.force_login(world.users["office"])
    # one query per lapsing kind for the list and one per kind for the counts, whatever the number of rows
    with django_assert_max_num_queries(24):
        assert client.get("/ledgers/expiring/").status_code == 200
    # (the history names the objects its changes point to: one query per related model, not per event; the class
    # rule reads the credit classes: two aggregate queries)
    with django_assert_max_num_queries(48):
        assert client.get(f"/enterprises/{world.enterprises['ent_a1'].pk}/").status_code == 200


def test_duty_status_and_completion_follow_each_duty_frequency(world: World) -> None:
    ent = world.enterprises["ent_a1"]
    services.row_create(actor=None, model=SPECS["duties"].model, enterprise=ent, duty="inspect",
                        held_on=dt.date(2026, 11, 3), summary="带队检查")
    services.row_create(actor=None, model=SPECS["duties"].model, enterprise=ent, duty="study",
                        held_on=dt.date(2026, 9, 30), summary="上季度研究")
    status = {d["duty"].value: d for d in selectors.duty_status(ent, TODAY)}
    assert status["inspect"]["done"] and not status["study"]["done"] and not status["commend"]["done"]
    assert status["study"]["last"] == dt.date(2026, 9, 30)
    from enterprises.models import Enterprise

    completion = selectors.duty_completion(Enterprise.objects.visible_to(world.user("township_a")), TODAY)
    assert (completion[0]["done"], completion[0]["total"]) == (1, 2)
    assert completion[1]["done"] == 0


def test_permit_web_flow_and_evidence_upload(client: Client, world: World) -> None:
    permit, applicant, approver = _permit_world(world)
    client.force_login(applicant)
    page = client.get(f"/ledgers/permits/{permit.pk}/").content.decode()
    assert "确认安全措施" in page and "批准作业" not in page
    client.post(f"/ledgers/permits/{permit.pk}/transition/", {"to": "checked", "measure": ["0", "1"]})
    client.force_login(approver)
    assert "批准作业" in client.get(f"/ledgers/permits/{permit.pk}/").content.decode()
    client.post(f"/ledgers/permits/{permit.pk}/transition/", {"to": "approved"})
    permit.refresh_from_db()
    assert permit.status == "approved"
    client.force_login(world.users["township_b"])
    assert client.post(f"/ledgers/permits/{permit.pk}/transition/", {"to": "closed"}).status_code == 404
    from django.core.files.uploadedfile import SimpleUploadedFile

    png = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f"
           b"\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
    client.force_login(applicant)
    client.post(f"/ledgers/permits/{permit.pk}/", {"file": SimpleUploadedFile("现场.png", png)})
    assert "现场.png" in client.get(f"/ledgers/permits/{permit.pk}/").content.decode()
