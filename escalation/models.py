"""Escalation ladders (提醒 → 通报 → 约谈 → 挂牌督办), the records of each step taken, and the
supervision items (督办事项) the campaign office assigns by hand."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.scoping import Scope, ScopedQuerySet, scope_for
from escalation.choices import Action, ItemEventKind, ItemStatus, RecordStatus


class EscalationLadder(models.Model):
    code = models.SlugField(max_length=40, unique=True, verbose_name=_("代码"))
    name = models.CharField(max_length=80, verbose_name=_("名称"))
    applies_to = models.CharField(max_length=60, blank=True, verbose_name=_("适用对象"),
                                  help_text=_("为空时由各类事项自行指定；填写事项类别时覆盖其默认阶梯"))
    active = models.BooleanField(default=True, verbose_name=_("启用"))

    class Meta:
        ordering = ["code"]
        verbose_name = _("督办阶梯")
        verbose_name_plural = _("督办阶梯")

    def __str__(self) -> str:
        return self.name


class EscalationStep(models.Model):
    ladder = models.ForeignKey(EscalationLadder, on_delete=models.CASCADE, related_name="steps",
                               verbose_name=_("督办阶梯"))
    order = models.PositiveSmallIntegerField(default=0, verbose_name=_("顺序"))
    action = models.CharField(max_length=16, choices=Action.choices, verbose_name=_("措施"))
    after_workdays = models.PositiveSmallIntegerField(default=0, verbose_name=_("逾期工作日"),
                                                      help_text=_("超过期限多少个工作日后启动"))
    notify_responsible = models.BooleanField(default=True, verbose_name=_("通知责任单位"))
    notify_supervisors = models.BooleanField(default=False, verbose_name=_("通知属地和行业监管单位"))
    notify_office = models.BooleanField(default=False, verbose_name=_("通知安委办"))
    needs_decision = models.BooleanField(default=False, verbose_name=_("须安委办决定"))

    class Meta:
        ordering = ["ladder", "order", "after_workdays", "pk"]
        verbose_name = _("督办步骤")
        verbose_name_plural = _("督办步骤")

    def __str__(self) -> str:
        return f"{self.get_action_display()}（逾期{self.after_workdays}个工作日）"


class EscalationRecordQuerySet(ScopedQuerySet):
    def visible_to(self, user: Any) -> EscalationRecordQuerySet:
        """A record is visible exactly when its underlying object is.

        For a source whose scope reads the item's territory path and domain (``DeadlineSource.counts``), those arms
        are read on the record's own copies of the keys, which follow the item (``escalation.keys``); the item is
        looked up (an EXISTS) only for the viewer's other arms (their units, an enterprise account, explicit grants,
        a department's domains of an enterprise row). Other sources: one EXISTS over the item's scope.
        ``visible_by_items`` is the same rule with an EXISTS for every source (the reference of the tests)."""
        scope = scope_for(user)
        if scope.is_empty and not getattr(user, "unit_id", None):
            return self.none()
        if not getattr(user, "has_business_role", False):
            return self.none()
        # Built once per user object (a request's): the 督办台 reads records three times (pending count, page,
        # history), and the condition — a term per source — costs a few milliseconds to build.
        q = getattr(user, "_anzhi_record_q", None)
        if q is None:
            from escalation.keys import record_q

            q = user._anzhi_record_q = record_q(user, scope)
        return self.filter(q)

    def visible_by_items(self, user: Any) -> EscalationRecordQuerySet:
        """The records whose item ``user`` may see, asked of every item (one EXISTS per source): what
        ``visible_to`` must always equal."""
        from escalation.keys import items_q

        scope = scope_for(user)
        if (scope.is_empty and not getattr(user, "unit_id", None)) or not getattr(user, "has_business_role", False):
            return self.none()
        return self.filter(items_q(user, scope))


class EscalationRecord(models.Model):
    source_key = models.CharField(max_length=60, verbose_name=_("事项类别"))
    object_type = models.CharField(max_length=60)
    object_id = models.BigIntegerField()
    object_title = models.CharField(max_length=300, blank=True, verbose_name=_("事项"))
    object_url = models.CharField(max_length=500, blank=True)
    step = models.ForeignKey(EscalationStep, null=True, blank=True, on_delete=models.SET_NULL, related_name="records",
                             verbose_name=_("督办步骤"))
    action = models.CharField(max_length=16, choices=Action.choices, verbose_name=_("措施"))
    status = models.CharField(max_length=16, choices=RecordStatus.choices, verbose_name=_("状态"))
    manual = models.BooleanField(default=False, verbose_name=_("人工督办"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("时间"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("发起人"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("决定人"))
    decided_at = models.DateTimeField(null=True, blank=True, verbose_name=_("决定时间"))
    note = models.TextField(blank=True, verbose_name=_("说明"))
    due_date = models.DateField(verbose_name=_("期限"))
    overdue_workdays = models.IntegerField(default=0, verbose_name=_("逾期工作日"))
    jurisdiction_path = models.CharField(max_length=255, blank=True, db_index=True, editable=False)
    domain_id = models.IntegerField(null=True, blank=True, editable=False)
    enterprise_id = models.IntegerField(null=True, blank=True, editable=False)
    # A proposal with a higher proposal of the same item and deadline still awaiting the office (an item first seen
    # long overdue is proposed for 约谈 and 挂牌督办 at once): the 督办台 shows only the higher one. Kept by
    # ``escalation.services.rank_proposals`` where proposals are filed or decided, and by the worker after a ladder's
    # steps are reordered or removed; equal to ``higher_proposal()`` (a property test says so). Derived, like the
    # copied keys above: written by UPDATE without a change event of its own. Read from an index, not probed.
    outranked = models.BooleanField(default=False, editable=False)

    objects = EscalationRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("督办记录")
        verbose_name_plural = _("督办记录")
        constraints = [models.UniqueConstraint(fields=["source_key", "object_id", "step", "due_date"],
                                               name="escalation_record_once_per_deadline")]
        # The board's orders, whole in the index: the sweep files a batch under one creation time, so an index on
        # the time alone leaves tens of thousands of ties to sort before the first page (measured at 4M records).
        indexes = [models.Index(fields=["source_key", "object_id"], name="escalation_record_object"),
                   models.Index(fields=["status", "created_at", "id"], name="escalation_record_status"),
                   models.Index(fields=["created_at", "id"], name="escalation_record_recent"),
                   # The pending decisions in the board's order, for the board's page and its capped count.
                   models.Index(fields=["created_at", "id"], name="escalation_record_pending",
                                condition=Q(status=RecordStatus.PROPOSED, outranked=False))]

    def __str__(self) -> str:
        # Action(...).label, not get_action_display(): the sweep names many records at once.
        return f"{self.object_title} · {Action(self.action).label if self.action in Action.values else self.action}"

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return (scope.territorial_q("jurisdiction_path")
                | scope.domain_q("jurisdiction_path", domain_field="domain_id")
                | scope.enterprise_q("enterprise_id"))

    @classmethod
    def higher_proposal(cls) -> Exists:
        """That a record (the outer row) has a proposal of a higher step for the same item and deadline: the
        one definition of ``outranked``. Usable in a filter and in an UPDATE (no join on the outer row)."""
        own_order = EscalationStep.objects.filter(pk=OuterRef(OuterRef("step_id"))).values("order")[:1]
        return Exists(cls.objects.filter(source_key=OuterRef("source_key"), object_id=OuterRef("object_id"),
                                         due_date=OuterRef("due_date"), status=RecordStatus.PROPOSED,
                                         step__order__gt=Subquery(own_order)))


class ReminderMark(models.Model):
    """That an item's reminder for one working-day threshold before one deadline has been counted in a
    reminder digest (the sweep's memory; never shown). Unique, so re-runs and concurrent runs remind once."""

    source_key = models.CharField(max_length=60)
    object_id = models.BigIntegerField()
    due_date = models.DateField()
    threshold = models.SmallIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source_key", "object_id", "due_date", "threshold"],
                                               name="escalation_reminder_once")]

    def __str__(self) -> str:
        return f"{self.source_key}#{self.object_id} {self.due_date} -{self.threshold}"


class SupervisionItemQuerySet(ScopedQuerySet):
    def visible_to(self, user: Any) -> SupervisionItemQuerySet:
        """The office sees the items in its territory; a unit sees the items assigned to it."""
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if not user.has_business_role:
            return self.none()
        q = self.model.scope_q(scope_for(user))
        if user.unit_id:
            q |= Q(assignee_id=user.unit_id)
        return self.filter(q)


class SupervisionItem(models.Model):
    """督办事项: an ad-hoc matter the office assigns to a unit with a deadline."""

    title = models.CharField(max_length=200, verbose_name=_("督办事项"))
    description = models.TextField(blank=True, verbose_name=_("具体要求"))
    assignee = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="supervision_items",
                                 verbose_name=_("承办单位"))
    jurisdiction_path = models.CharField(max_length=255, db_index=True, editable=False)
    deadline = models.DateField(db_index=True, verbose_name=_("办结期限"))
    original_deadline = models.DateField(verbose_name=_("原定期限"))
    status = models.CharField(max_length=16, choices=ItemStatus.choices, default=ItemStatus.OPEN, db_index=True,
                              verbose_name=_("状态"))
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("交办人"))
    assigning_unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="+", verbose_name=_("交办单位"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("交办时间"))
    done_at = models.DateTimeField(null=True, blank=True, verbose_name=_("报告办结时间"))
    closed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("销号时间"))

    objects = SupervisionItemQuerySet.as_manager()

    class Meta:
        ordering = ["deadline", "pk"]
        verbose_name = _("督办事项")
        verbose_name_plural = _("督办事项")
        indexes = [models.Index(fields=["status", "deadline"], name="escalation_item_open_due")]

    def __str__(self) -> str:
        return self.title

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return scope.territorial_q("jurisdiction_path")


class SupervisionEvent(models.Model):
    """What happened to a supervision item, as its users read it (交办, 报告办结, 退回, 销号 ...)."""

    item = models.ForeignKey(SupervisionItem, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=ItemEventKind.choices, verbose_name=_("操作"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+", verbose_name=_("操作人"))
    note = models.TextField(blank=True, verbose_name=_("说明"))
    at = models.DateTimeField(default=timezone.now, verbose_name=_("时间"))

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("督办事项记录")
        verbose_name_plural = _("督办事项记录")

    def __str__(self) -> str:
        return f"{self.item_id} {self.get_kind_display()}"


from core.registry import register_path_model  # noqa: E402

register_path_model(SupervisionItem)
register_path_model(EscalationRecord)


class DueCount(models.Model):
    """The standing count of a deadline source's open items per (territory path, domain, deadline day), written
    whole by ``escalation.counts.refresh`` (the worker's periodic ``escalation.count_due``), never by a business
    write. Days before the refresh are folded into ``PAST``; because rows are keyed by the deadline day, what is
    overdue and what is due soon stay right as days pass, only changes since the refresh wait for the next one.
    ``domain`` is NULL for sources whose domain arm is not one column (``escalation.counts.CountKeys``); for those,
    the rows with a ``grant`` (a department's domains, ``escalation.counts.grant_key``) count the items its domain
    arm reaches, keyed by the item's path (the rows without count the territorial arm)."""

    source_key = models.CharField(max_length=60)
    jurisdiction_path = models.CharField(max_length=255)
    domain_id = models.BigIntegerField(null=True)
    grant = models.CharField(max_length=200, blank=True, default="")
    deadline = models.DateField()
    n = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("到期事项统计")
        verbose_name_plural = _("到期事项统计")
        # Read by source, grant and path prefix (``LIKE 'path%'``: pattern operators on PostgreSQL, whatever the
        # database's collation; equality is in the same operator class).
        indexes = [models.Index(fields=["source_key", "grant", "jurisdiction_path"], name="escalation_duecount_key",
                                opclasses=["varchar_pattern_ops"] * 3)]

    def __str__(self) -> str:
        return f"{self.source_key} {self.jurisdiction_path} {self.domain_id} {self.deadline} {self.n}"


class DueCountRun(models.Model):
    """When a source's ``DueCount`` rows were last counted (the card says so); a source with no run is counted
    directly."""

    source_key = models.CharField(max_length=60, unique=True)
    counted_at = models.DateTimeField()
    # The departments' domain sets counted as ``DueCount.grant`` rows in that run (a viewer whose set is not
    # among them is counted directly).
    grants = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("到期事项统计时间")
        verbose_name_plural = _("到期事项统计时间")

    def __str__(self) -> str:
        return f"{self.source_key} {self.counted_at}"
register_path_model(DueCount)
