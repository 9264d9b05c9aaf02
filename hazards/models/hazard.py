"""The hazard (事故隐患), its rectification plan (五到位 / 治理方案) and its domain events.

Scope keys (jurisdiction_path, domain, enterprise) are copied by ``hazard_register`` from the
enterprise, or given directly for a hazard without one (a road section, a compound, a township)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.scoping import Scope, ScopedQuerySet
from hazards.choices import DONE_STATUSES, OPEN_STATUSES, OVERDUE_STATUSES, Category, Grade, Source, Status
from orgs.models import Domain, Jurisdiction, Unit

# 16号令第二十三条: the regulator reviews an application within 10 days.
REVIEW_DAYS = 10


class HazardQuerySet(ScopedQuerySet):
    def open(self) -> HazardQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, today: dt.date | None = None) -> HazardQuerySet:
        today = today or timezone.localdate()
        return self.filter(status__in=OVERDUE_STATUSES, deadline__lt=today)

    def done(self) -> HazardQuerySet:
        return self.filter(status__in=DONE_STATUSES)

    def on_time(self) -> HazardQuerySet:
        return self.done().filter(Q(deadline__isnull=True) | Q(rectified_on__lte=models.F("deadline")))

    def major(self) -> HazardQuerySet:
        return self.filter(grade=Grade.MAJOR)


class Hazard(models.Model):
    number = models.CharField(max_length=24, blank=True, db_index=True, verbose_name=_("隐患编号"))
    enterprise = models.ForeignKey("enterprises.Enterprise", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="hazards", verbose_name=_("企业"))
    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="hazards",
                                     verbose_name=_("属地"))
    jurisdiction_path = models.CharField(max_length=255, db_index=True, editable=False)
    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="hazards", verbose_name=_("行业领域"))
    place = models.CharField(max_length=200, blank=True, verbose_name=_("场所"),
                             help_text=_("无企业时填写：路段、小区、村组等"))
    source = models.CharField(max_length=8, choices=Source.choices, verbose_name=_("隐患来源"))
    finder = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+", verbose_name=_("发现人"))
    finder_unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("发现单位"))
    reporter = models.CharField(max_length=120, blank=True, verbose_name=_("举报人/报告人"))
    found_at = models.DateTimeField(default=timezone.now, verbose_name=_("发现时间"))
    location = models.CharField(max_length=200, blank=True, verbose_name=_("具体位置"))
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True, verbose_name=_("经度"))
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True, verbose_name=_("纬度"))
    description = models.TextField(verbose_name=_("隐患描述"))
    category = models.CharField(max_length=8, choices=Category.choices, default=Category.THING,
                                verbose_name=_("隐患类别"))
    criterion = models.TextField(blank=True, verbose_name=_("违反的规定"),
                                 help_text=_("违反的法律、法规、标准或规程条款（已知时填写）"))
    criterion_ref = models.CharField(max_length=120, blank=True, verbose_name=_("标准条款编号"),
                                     help_text=_("如 GB 30871-2022 第5.2条，或重大事故隐患判定标准第几项"))
    grade = models.CharField(max_length=8, choices=Grade.choices, null=True, blank=True, verbose_name=_("隐患等级"))
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.REGISTERED, editable=False,
                              verbose_name=_("状态"))
    original_deadline = models.DateField(null=True, blank=True, editable=False, verbose_name=_("原定整改期限"))
    deadline = models.DateField(null=True, blank=True, editable=False, verbose_name=_("整改期限"))
    supervisor_unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                        verbose_name=_("监管（验收）部门"))
    # 重大事故隐患报告 (16号令第十四条): 现状及成因, 危害程度和整改难易程度分析; 治理方案 is the plan.
    report_cause = models.TextField(blank=True, verbose_name=_("隐患现状及其产生原因"))
    report_analysis = models.TextField(blank=True, verbose_name=_("危害程度和整改难易程度分析"))
    report_sent_at = models.DateTimeField(null=True, blank=True, editable=False, verbose_name=_("报告监管部门时间"))
    applied_at = models.DateTimeField(null=True, blank=True, editable=False, verbose_name=_("申请验收时间"))
    review_deadline = models.DateField(null=True, blank=True, editable=False, verbose_name=_("验收审查期限"))
    rectified_on = models.DateField(null=True, blank=True, editable=False, verbose_name=_("整改完成日期"))
    accepted_at = models.DateTimeField(null=True, blank=True, editable=False, verbose_name=_("验收时间"))
    closed_at = models.DateTimeField(null=True, blank=True, editable=False, verbose_name=_("销号时间"))
    regulation_version = models.CharField(max_length=40, default="安监总局令第16号", editable=False,
                                          verbose_name=_("适用规定"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", editable=False)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("登记时间"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("更新时间"))

    objects = HazardQuerySet.as_manager()

    # An enterprise's hazards follow it to another jurisdiction (``enterprises.models.rekey_enterprise_rows``).
    enterprise_lookup = "enterprise"
    # May be granted to an inspector or expert outside its territory (accounts.grants); so may its enterprise.
    grantable = True

    class Meta:
        ordering = ["-found_at", "-pk"]
        verbose_name = _("事故隐患")
        verbose_name_plural = _("事故隐患")
        indexes = [
            models.Index(fields=["jurisdiction_path", "status"], name="hz_path_status"),
            models.Index(fields=["domain", "status"], name="hz_domain_status"),
            # A department's scope (its domains within its territory, hazards.scope_q): counted index-only. Without
            # it a county department's capped count read 122,000 rows of the table at 10M hazards (53 ms → 2 ms).
            models.Index(fields=["domain", "jurisdiction_path"], name="hz_domain_path",
                         opclasses=["int8_ops", "varchar_pattern_ops"]),
            models.Index(fields=["enterprise", "status"], name="hz_ent_status"),
            models.Index(fields=["status", "deadline"], name="hz_status_deadline"),
            models.Index(fields=["grade", "status"], name="hz_grade_status"),
            models.Index(fields=["supervisor_unit", "status"], name="hz_supervisor_status"),
            # Lists show the newest first: read the first page in index order instead of sorting every
            # visible row (bench/hazards_scale.py, 1M rows: office first page 2.8 s without it).
            models.Index(fields=["-found_at", "-id"], name="hz_found_desc"),
            # The major hazards, newest first: the list most filtered to. Without it a department's major hazards
            # (1 row in 2,400 at 10M) were found by walking hz_found_desc through 400,000 rows (760 ms).
            models.Index(fields=["-found_at", "-id"], name="hz_major_found", condition=models.Q(grade="major")),
            # The 督办台's overdue and due-soon hazards, oldest deadline first (escalation.selectors.overdue_items):
            # read in deadline order among the hazards that can be overdue. Without it a department's overdue list
            # joined and sorted its 770,000 overdue hazards at 10M (3 s).
            models.Index(fields=["deadline", "id"], name="hz_due_order",
                         condition=models.Q(status__in=OVERDUE_STATUSES, deadline__isnull=False)),
            # 动态清零 (hazards.selectors.clearance_by_unit / _by_territory, on the figures and clearance pages):
            # an index, not a maintained count, because the rows counted are few by nature (open major hazards,
            # 0.5 % of all in bench/generate.py) and the counts group by supervising unit and by place as well as
            # cut by "overdue as of today". Partial on exactly the selectors' condition and holding every column
            # they read (scope keys first, the path with pattern ops for a territory's prefix), so the grouped query
            # is an index-only range scan over the open major hazards of the scope: at 10M hazards with 2 % major
            # the bitmap/heap plans it replaces took 1–4.4 s (bench/README.md).
            models.Index(fields=["jurisdiction_path", "domain", "status", "deadline", "supervisor_unit",
                                 "jurisdiction", "enterprise", "id"],
                         opclasses=["varchar_pattern_ops", "int8_ops", "text_ops", "date_ops", "int8_ops", "int8_ops",
                                    "int8_ops", "int8_ops"],
                         condition=Q(grade=Grade.MAJOR, status__in=OPEN_STATUSES), name="hz_major_open"),
        ]

    def __str__(self) -> str:
        return f"{self.number or self.pk} {self.description[:30]}"

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        from enterprises.models import Enterprise

        return (scope.territorial_q("jurisdiction_path")
                | scope.domain_q("jurisdiction_path", domain_field="domain_id")
                | scope.enterprise_q("enterprise_id")
                | scope.granted_q(Enterprise, "enterprise_id")
                | scope.granted_q(cls))

    @classmethod
    def rekey_rows(cls, rows: models.QuerySet, values: dict[str, object]) -> int:
        """Re-key hazards (their enterprise moved) and the counts kept of them (``hazards.tally``)."""
        from hazards import tally

        return tally.rekey(rows, values)

    # -- derived ----------------------------------------------------------------------------------
    @property
    def where(self) -> str:
        return self.enterprise.name if self.enterprise_id else self.place

    @property
    def is_major(self) -> bool:
        return self.grade == Grade.MAJOR

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_frozen(self) -> bool:
        from hazards.choices import FROZEN_STATUSES

        return self.status in FROZEN_STATUSES

    def is_overdue(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.status in OVERDUE_STATUSES and self.deadline is not None and self.deadline < today

    @property
    def extended(self) -> bool:
        return bool(self.original_deadline and self.deadline and self.deadline != self.original_deadline)

    @property
    def review_due(self) -> dt.date | None:
        return self.review_deadline if self.status == Status.APPLIED else None

    def review_days_left(self, today: dt.date | None = None) -> int | None:
        due = self.review_due
        return None if due is None else (due - (today or timezone.localdate())).days


class RectificationPlan(models.Model):
    """五到位 (责任、措施、资金、时限、预案) for every hazard not fixed on the spot, and for a
    major hazard the six parts of the 治理方案 (16号令第十五条)."""

    hazard = models.OneToOneField(Hazard, on_delete=models.CASCADE, related_name="plan")
    responsible_person = models.CharField(max_length=60, blank=True, verbose_name=_("整改责任人"))
    responsible_phone = models.CharField(max_length=30, blank=True, verbose_name=_("责任人电话"))
    measures = models.TextField(blank=True, verbose_name=_("整改措施"))
    funds = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True,
                                verbose_name=_("整改资金（元）"))
    deadline = models.DateField(null=True, blank=True, verbose_name=_("整改时限"))
    interim_measures = models.TextField(blank=True, verbose_name=_("应急预案及临时管控措施"))
    acceptor = models.CharField(max_length=60, blank=True, verbose_name=_("验收人"))
    # 治理方案 (重大事故隐患)
    goal = models.TextField(blank=True, verbose_name=_("治理的目标和任务"))
    methods = models.TextField(blank=True, verbose_name=_("采取的方法和措施"))
    funds_materials = models.TextField(blank=True, verbose_name=_("经费和物资的落实"))
    organization = models.TextField(blank=True, verbose_name=_("负责治理的机构和人员"))
    time_requirements = models.TextField(blank=True, verbose_name=_("治理的时限和要求"))
    safety_plan = models.TextField(blank=True, verbose_name=_("安全措施和应急预案"))
    updated_at = models.DateTimeField(auto_now=True)

    BASIC = ["responsible_person", "measures", "funds", "deadline", "interim_measures"]
    MAJOR = ["goal", "methods", "funds_materials", "organization", "time_requirements", "safety_plan"]
    FIELDS = [*BASIC, "responsible_phone", "acceptor", *MAJOR]

    class Meta:
        verbose_name = _("整改方案")
        verbose_name_plural = _("整改方案")

    def __str__(self) -> str:
        return f"{self.hazard_id} 整改方案"

    def missing(self, *, major: bool) -> list[str]:
        """Labels of the required parts still empty (五到位; plus the 治理方案 for a major hazard)."""
        names = [*self.BASIC, *(self.MAJOR if major else [])]
        out = []
        for name in names:
            value = getattr(self, name)
            if value is None or (isinstance(value, str) and not value.strip()):
                out.append(str(self._meta.get_field(name).verbose_name))
        return out


class HazardEvent(models.Model):
    """What users read on the hazard's timeline: 登记, 定级, 退回 (with the reason), 延期 …"""

    hazard = models.ForeignKey(Hazard, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20, verbose_name=_("操作"))
    label = models.CharField(max_length=40, verbose_name=_("事项"))
    from_status = models.CharField(max_length=12, blank=True, choices=Status.choices, verbose_name=_("原状态"))
    to_status = models.CharField(max_length=12, choices=Status.choices, verbose_name=_("新状态"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+", verbose_name=_("操作人"))
    actor_unit = models.CharField(max_length=200, blank=True, verbose_name=_("操作单位"))
    note = models.TextField(blank=True, verbose_name=_("说明"))
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(default=timezone.now, verbose_name=_("时间"))

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("隐患处理记录")
        verbose_name_plural = _("隐患处理记录")
        indexes = [models.Index(fields=["hazard", "at"], name="hz_event_hazard")]

    def __str__(self) -> str:
        return f"{self.hazard_id} {self.label}"


from core.registry import register_path_model  # noqa: E402

register_path_model(Hazard)
