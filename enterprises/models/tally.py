"""The maintained counts behind the enterprise and credit figures of the home page and the cockpit.

``EnterpriseTally``: enterprises per (territory path, set of domains, credit class). An enterprise has several
domains, so it is counted once, under the set of all its domains (``domain_key``: ",3,7,", sorted ids; "" for
none): the total of a scope is a plain sum, with no enterprise counted twice, and the enterprises of a domain are
the rows whose set contains it. The sets that occur are few (most enterprises have one or two domains), so a
county or a province has at most (territories × sets × 4) rows.

Kept by ``enterprises.tally`` in the transaction of every write that changes a counted attribute (create, the
jurisdiction or the domains of an enterprise, the import, the stored credit class: ``credit.standing``); a
jurisdiction's move re-keys it like any path model; ``rebuild_enterprise_tallies`` recounts it from the
enterprises. Cut to a reader by the same territory and domain rules as ``Enterprise.scope_q``
(``enterprises.selectors.enterprise_counts_for``, ``credit.selectors.distribution_for``)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.registry import register_path_model
from core.scoping import Scope


def domain_key(domain_ids: Iterable[int]) -> str:
    """The key of a set of domains: ",3,7," (sorted ids between commas), "" for no domain."""
    ids = sorted({int(d) for d in domain_ids})
    return f",{','.join(str(d) for d in ids)}," if ids else ""


def key_domains(key: str) -> list[int]:
    return [int(d) for d in key.strip(",").split(",") if d]


class EnterpriseTally(models.Model):
    jurisdiction_path = models.CharField(max_length=255, editable=False)
    domain_key = models.CharField(max_length=255, blank=True, default="", editable=False)
    credit_class = models.CharField(max_length=1, editable=False)
    n = models.IntegerField(default=0, verbose_name=_("数量"))

    class Meta:
        verbose_name = _("企业汇总")
        verbose_name_plural = _("企业汇总")
        constraints = [models.UniqueConstraint(fields=["jurisdiction_path", "domain_key", "credit_class"],
                                               name="ent_tally_key")]

    def __str__(self) -> str:
        return f"{self.jurisdiction_path} {self.domain_key} {self.credit_class} {self.n}"

    @classmethod
    def scope_q(cls, scope: Scope) -> models.Q:
        """The rows of a scope's territories and (territory × domains) grants: the arms of ``Enterprise.scope_q``
        a count can be cut by (a row of a grant's territory counts when its set holds one of the grant's domains,
        as the EXISTS on the enterprise's domain links does). Enterprise accounts and explicit grants are counted
        from the enterprises."""
        q = scope.territorial_q("jurisdiction_path")
        for grant in scope.domain_grants:
            has = models.Q(pk__in=[])
            for d in grant.domain_ids:
                has |= models.Q(domain_key__contains=f",{int(d)},")
            q |= models.Q(jurisdiction_path__startswith=grant.path) & has
        return q


register_path_model(EnterpriseTally)
