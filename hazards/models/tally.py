"""The maintained counts behind the hazard figures (整改率, 按期整改率, 超期数, 重大隐患数) and the home card.

``HazardTally``: hazards per (territory path, domain, grade, status, on time) — every figure except 超期数.
``HazardDue``: hazards that can be overdue (``OVERDUE_STATUSES`` with a deadline) per (territory path, domain,
deadline day); 超期数 as of a day is the sum of the rows whose day is earlier. Days already past are folded into
one row per (path, domain) on ``PAST`` (a daily job), so the sum reads those rows and the few days since the last
fold, never one row a hazard.

Both are kept by ``hazards.tally`` in the transaction of every write that changes a counted attribute (register,
transitions, the draft deadline of a plan, an enterprise's move); a jurisdiction's move re-keys them like any path
model; ``rebuild_hazard_tallies`` recounts them from the hazards. Cut to a reader by the same territory and domain
rules as ``Hazard.scope_q`` (``hazards.selectors.figures_for``)."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.registry import register_path_model
from core.scoping import Scope

# The day every hazard whose deadline has passed is folded into (earlier than any real deadline).
PAST = dt.date(1900, 1, 1)


class _TallyRow(models.Model):
    jurisdiction_path = models.CharField(max_length=255, editable=False)
    domain = models.ForeignKey("orgs.Domain", on_delete=models.PROTECT, related_name="+")
    n = models.IntegerField(default=0, verbose_name=_("数量"))

    class Meta:
        abstract = True

    @classmethod
    def scope_q(cls, scope: Scope) -> models.Q:
        """The rows of a scope's territories and (territory × domains) grants: the arms of ``Hazard.scope_q``
        that a count can be cut by. Enterprise accounts and explicit grants are counted from the hazards."""
        return scope.territorial_q("jurisdiction_path") | scope.domain_q("jurisdiction_path", domain_field="domain_id")


class HazardTally(_TallyRow):
    grade = models.CharField(max_length=8, blank=True, default="", verbose_name=_("隐患等级"))  # "" = 未定级
    status = models.CharField(max_length=12, verbose_name=_("状态"))
    # Rectified by the deadline (or without one); only for accepted and closed hazards, else False.
    on_time = models.BooleanField(default=False, verbose_name=_("按期整改"))

    class Meta:
        verbose_name = _("隐患汇总")
        verbose_name_plural = _("隐患汇总")
        constraints = [models.UniqueConstraint(fields=["jurisdiction_path", "domain", "grade", "status", "on_time"],
                                               name="hz_tally_key")]

    def __str__(self) -> str:
        return f"{self.jurisdiction_path} {self.domain_id} {self.grade} {self.status} {self.n}"


class HazardDue(_TallyRow):
    deadline = models.DateField(verbose_name=_("整改期限"))

    class Meta:
        verbose_name = _("隐患期限汇总")
        verbose_name_plural = _("隐患期限汇总")
        constraints = [models.UniqueConstraint(fields=["jurisdiction_path", "domain", "deadline"], name="hz_due_key")]
        indexes = [models.Index(fields=["deadline"], name="hz_due_deadline")]

    def __str__(self) -> str:
        return f"{self.jurisdiction_path} {self.domain_id} {self.deadline} {self.n}"


register_path_model(HazardTally)
register_path_model(HazardDue)
