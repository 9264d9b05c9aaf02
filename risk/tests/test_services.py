from __future__ import annotations

import io
import struct
import zlib
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from core.models import ChangeEvent
from orgs.models import Domain
from risk import services
from risk.choices import EnterpriseClass, Grade, Method
from risk.models import RiskAssessment
from risk.selectors import classes_for, compute_class, enterprise_class, overall_grade
from risk.tests.factories import make_point


def tiny_png(w: int = 40, h: int = 30) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + b"\xcc\xdd\xee" * w for _ in range(h))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


@pytest.mark.django_db
class TestRiskPoints:
    def test_assessment_grades_keeps_history_and_audits(self, world) -> None:
        ent = world.enterprises["ent_a1"]
        point = make_point(ent, "orange")
        assert point.grade == Grade.ORANGE and point.value == Decimal(270)
        assert point.jurisdiction_path == ent.jurisdiction_path
        assert point.control_level == "workshop"  # default level for orange
        services.risk_point_assess(actor=None, risk_point=point, method=Method.LS, inputs={"l": 4, "s": 5},
                                   reason="工艺变更")
        point.refresh_from_db()
        assert point.grade == Grade.RED and point.method == Method.LS and point.score_e is None
        assert RiskAssessment.objects.filter(risk_point=point).count() == 2
        assert ChangeEvent.objects.for_object(point).filter(action="risk.point_assess").count() == 2

    def test_direct_determination_needs_a_reason_and_wins(self, world) -> None:
        point = make_point(world.enterprises["ent_a1"], "blue")
        with pytest.raises(ValidationError):
            services.risk_point_assess(actor=None, risk_point=point, method=Method.LEC,
                                       inputs={"l": 1, "e": 3, "c": 7}, direct_major=True)
        a = services.risk_point_assess(actor=None, risk_point=point, method=Method.LEC,
                                       inputs={"l": 1, "e": 3, "c": 7}, direct_major=True,
                                       direct_reason="构成重大危险源")
        assert a.grade == Grade.RED and a.score_grade == Grade.BLUE

    def test_domain_scheme_overrides_default(self, world) -> None:
        ent = world.enterprises["ent_a1"]  # D12
        point = make_point(ent, "yellow")  # D = 90
        assert point.grade == Grade.YELLOW
        services.scheme_save(actor=None, method=Method.LEC, domain=Domain.objects.get(code="D12"),
                             name="冶金严格方案", red=Decimal(200), orange=Decimal(80), yellow=Decimal(20),
                             inclusive=False)
        a = services.risk_point_assess(actor=None, risk_point=point, method=Method.LEC,
                                       inputs={"l": 1, "e": 6, "c": 15})
        assert a.grade == Grade.ORANGE and "冶金严格方案" in a.scheme
        other = make_point(world.enterprises["ent_b2"], "yellow")  # D1: default scheme
        assert other.grade == Grade.YELLOW

    def test_enterprise_account_edits_only_its_own(self, world) -> None:
        with pytest.raises(PermissionDenied):
            services.risk_point_create(actor=world.user("enterprise_b"), enterprise=world.enterprises["ent_a1"],
                                       kind="area", name="x")
        with pytest.raises(PermissionDenied):
            services.risk_point_create(actor=world.user("township_a"), enterprise=world.enterprises["ent_a1"],
                                       kind="area", name="x")
        p = services.risk_point_create(actor=world.user("enterprise_a"), enterprise=world.enterprises["ent_a1"],
                                       kind="post", name="司炉工")
        assert p.pk

    def test_bad_choices_are_refused(self, world) -> None:
        with pytest.raises(ValidationError):
            services.risk_point_create(actor=None, enterprise=world.enterprises["ent_a1"], kind="area", name="x",
                                       accident_types=["nonsense"])
        with pytest.raises(ValidationError):
            services.risk_point_create(actor=None, enterprise=world.enterprises["ent_a1"], kind="area", name="x",
                                       hazard_factors=["99"])
        with pytest.raises(ValidationError):
            services.measure_add(actor=None, risk_point=make_point(world.enterprises["ent_a1"]), kind="ppe",
                                 level="post", content="戴手套", responsible="")


@pytest.mark.django_db
class TestReports:
    def test_report_versions_and_changes(self, world) -> None:
        ent = world.enterprises["ent_a1"]
        with pytest.raises(ValidationError):
            services.report_submit(actor=None, enterprise=ent)  # empty list
        a = make_point(ent, "yellow", name="甲")
        b = make_point(ent, "blue", name="乙")
        r1 = services.report_submit(actor=None, enterprise=ent)
        assert r1.version == 1 and len(r1.changes["added"]) == 2 and r1.overall_grade == Grade.YELLOW
        with pytest.raises(ValidationError):
            services.report_submit(actor=None, enterprise=ent)  # nothing changed
        services.risk_point_assess(actor=None, risk_point=a, method=Method.LEC, inputs={"l": 3, "e": 6, "c": 15})
        services.risk_point_archive(actor=None, risk_point=b, reason="设备拆除")
        c = make_point(ent, "red", name="丙")
        r2 = services.report_submit(actor=None, enterprise=ent)
        assert r2.version == 2 and r2.overall_grade == Grade.RED
        assert [p["id"] for p in r2.changes["added"]] == [c.pk]
        assert [p["id"] for p in r2.changes["removed"]] == [b.pk]
        assert r2.changes["grade_changed"][0]["from"] == Grade.YELLOW
        assert r2.changes["grade_changed"][0]["to"] == Grade.ORANGE
        assert next(p["value"] for p in r2.snapshot if p["id"] == a.pk) == "270"  # written out, never 2.7E+2

    def test_acknowledge_by_regulator_only(self, world) -> None:
        ent = world.enterprises["ent_a1"]
        make_point(ent)
        report = services.report_submit(actor=world.user("enterprise_a"), enterprise=ent)
        with pytest.raises(PermissionDenied):
            services.report_acknowledge(actor=world.user("enterprise_a"), report=report)
        with pytest.raises(PermissionDenied):
            services.report_acknowledge(actor=world.user("township_b"), report=report)
        services.report_acknowledge(actor=world.user("regulator"), report=report, note="已阅")
        report.refresh_from_db()
        assert report.status == "acknowledged" and report.acknowledged_by == world.users["regulator"]
        with pytest.raises(ValidationError):
            services.report_acknowledge(actor=world.user("township_a"), report=report)


@pytest.mark.django_db
class TestOverallGradeAndClass:
    def test_overall_grade_is_the_highest_active_point(self, world) -> None:
        ent = world.enterprises["ent_a1"]
        assert overall_grade(ent) is None
        make_point(ent, "blue")
        make_point(ent, "yellow")
        assert overall_grade(ent) == Grade.YELLOW
        red = make_point(ent, "red")
        assert overall_grade(ent) == Grade.RED
        services.risk_point_archive(actor=None, risk_point=red, reason="停用")
        assert overall_grade(ent) == Grade.YELLOW

    def test_class_rule(self) -> None:
        assert compute_class(grade=None, flags=[], open_major_hazards=0, closed_major_hazards_last_year=0)[0] == "c"
        assert compute_class(grade="blue", flags=[], open_major_hazards=0, closed_major_hazards_last_year=0)[0] == "d"
        assert compute_class(grade="red", flags=[], open_major_hazards=0, closed_major_hazards_last_year=0)[0] == "a"
        assert compute_class(grade="blue", flags=["flag_hazardous_chemicals"], open_major_hazards=0,
                             closed_major_hazards_last_year=0)[0] == "b"
        assert compute_class(grade="blue", flags=[], open_major_hazards=1, closed_major_hazards_last_year=0)[0] == "a"
        assert compute_class(grade="yellow", flags=[], open_major_hazards=0, closed_major_hazards_last_year=2)[0] == "b"
        assert compute_class(grade="blue", flags=["flag_major_hazard"], open_major_hazards=0,
                             closed_major_hazards_last_year=0)[0] == "a"

    def test_class_of_constructed_enterprises(self, world) -> None:
        a1, b1 = world.enterprises["ent_a1"], world.enterprises["ent_b1"]
        make_point(a1, "orange")
        make_point(b1, "blue")
        info = enterprise_class(a1)
        assert info.klass == EnterpriseClass.B and info.frequency == 2 and not info.overridden
        assert enterprise_class(b1).klass == EnterpriseClass.D

    def test_open_major_hazard_makes_class_a(self, world) -> None:
        from hazards import services as hazard_services

        ent = world.enterprises["ent_a1"]
        make_point(ent, "blue")
        hazard_services.hazard_register(actor=world.user("enterprise_a"), enterprise=ent, description="重大隐患测试",
                                        source="self", grade="major", report_cause="现状", report_analysis="分析")
        assert enterprise_class(ent).klass == EnterpriseClass.A

    def test_override_needs_reason_and_a_regulator(self, world) -> None:
        ent = world.enterprises["ent_a1"]
        make_point(ent, "blue")
        with pytest.raises(ValidationError):
            services.class_override(actor=world.user("regulator"), enterprise=ent, klass="a", reason="")
        with pytest.raises(PermissionDenied):
            services.class_override(actor=world.user("enterprise_a"), enterprise=ent, klass="d", reason="自评良好")
        with pytest.raises(PermissionDenied):  # out of scope
            services.class_override(actor=world.user("regulator_fire"), enterprise=ent, klass="a", reason="消防检查发现")
        services.class_override(actor=world.user("regulator"), enterprise=ent, klass="a", reason="近期发生事故")
        info = classes_for([ent])[ent.pk]
        assert info.klass == "a" and info.computed == "d" and info.overridden and info.frequency == 4
        assert ChangeEvent.objects.for_object(ent).filter(action="risk.class_override").exists()
        services.class_override(actor=world.user("regulator"), enterprise=ent, klass=None, reason="撤销调整")
        assert enterprise_class(ent).klass == "d"


@pytest.mark.django_db
class TestPlanAndLinks:
    def test_site_plan_and_geometry_validation(self, world) -> None:
        ent = world.enterprises["ent_a1"]
        point = make_point(ent, "orange")
        with pytest.raises(ValidationError):  # no plan yet
            services.placement_save(actor=None, risk_point=point, geometry={"type": "Point", "coordinates": [1, 2]})
        plan = services.site_plan_upload(actor=None, enterprise=ent,
                                         file=SimpleUploadedFile("plan.png", tiny_png(), "image/png"))
        assert (plan.width, plan.height) == (40, 30)
        services.placement_save(actor=None, risk_point=point, geometry={"type": "Point", "coordinates": [10, 12]})
        point.refresh_from_db()
        assert point.plan_geometry == {"type": "Point", "coordinates": [10.0, 12.0]}
        services.placement_save(actor=None, risk_point=point, geometry={
            "type": "Polygon", "coordinates": [[[1, 1], [10, 1], [10, 10]]]})
        point.refresh_from_db()
        assert point.plan_geometry["coordinates"][0][-1] == [1.0, 1.0]
        for bad in ({"type": "Point", "coordinates": [500, 1]}, {"type": "Point", "coordinates": ["a", 1]},
                    {"type": "LineString", "coordinates": [[1, 1], [2, 2]]},
                    {"type": "Polygon", "coordinates": [[[1, 1], [2, 2]]]}, "x"):
            with pytest.raises(ValidationError):
                services.placement_save(actor=None, risk_point=point, geometry=bad)
        with pytest.raises(ValidationError):
            services.site_plan_upload(actor=None, enterprise=ent,
                                      file=SimpleUploadedFile("x.png", b"not an image at all", "image/png"))

    def test_hazard_link_same_enterprise_and_scope(self, world) -> None:
        from hazards import services as hazard_services
        from risk.models import RiskPoint
        from risk.selectors import annotate_points

        a1 = world.enterprises["ent_a1"]
        point = make_point(a1, "red")
        h = hazard_services.hazard_register(actor=world.user("enterprise_a"), enterprise=a1, description="防护罩缺失", source="self")
        other = hazard_services.hazard_register(actor=world.user("enterprise_b"), enterprise=world.enterprises["ent_b1"],
                                                description="别家隐患", source="self")
        with pytest.raises(ValidationError):
            services.hazard_link(actor=None, risk_point=point, hazard=other)
        with pytest.raises(PermissionDenied):
            services.hazard_link(actor=world.user("enterprise_b"), risk_point=point, hazard=h)
        services.hazard_link(actor=world.user("enterprise_a"), risk_point=point, hazard=h)
        with pytest.raises(ValidationError):
            services.hazard_link(actor=None, risk_point=point, hazard=h)
        assert annotate_points(RiskPoint.objects.filter(pk=point.pk)).get().open_hazard is True


def test_image_size_reads_png_header() -> None:
    assert services.image_size(tiny_png(7, 5)) == (7, 5)
    assert services.image_size(b"GIF89a" + struct.pack("<HH", 3, 4)) == (3, 4)
    assert services.image_size(io.BytesIO(b"nothing").read()) is None
