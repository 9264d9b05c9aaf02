"""Audit action names: one style, ``<app_label>.<verb>`` or ``<app_label>.<noun>_<verb>``
(``hazards.register``, ``risk.point_create``, ``accounts.login``).

Events written before the names were unified keep the action they were stored with: the change log is a
hash chain and is never rewritten. This module is the one map from those old names to the current ones, and
every reader that filters or shows events by action goes through it (``action_q()`` for a filter,
``current()`` / ``ChangeEvent.action_name`` for a display), so a filter on the current name also finds the
events stored under the old one.
"""

from __future__ import annotations

import re

from django.db.models import Q

PATTERN = re.compile(r"^[a-z_]+\.[a-z_]+$")

# Old generic verbs: the current name is ``<app label of the object>.<verb>`` (``create`` on an
# ``enterprises.licence`` is ``enterprises.create``).
GENERIC = frozenset({"create", "update", "delete"})

# Every other old name, with its current name (the meaning is unchanged).
LEGACY: dict[str, str] = {
    # accounts
    "scope_grant": "accounts.scope_grant",
    "scope_grant_revoke": "accounts.scope_grant_revoke",
    "password_reset": "accounts.password_reset",
    "password_change": "accounts.password_change",
    "role_grant": "accounts.role_grant",
    "role_revoke": "accounts.role_revoke",
    "unlock": "accounts.unlock",
    "login": "accounts.login",
    "logout": "accounts.logout",
    "login_failed": "accounts.login_fail",
    "locked": "accounts.lock",
    "token_create": "accounts.token_create",
    "token_revoke": "accounts.token_revoke",
    # audit
    "verify_chain": "audit.chain_verify",
    "export_checkpoint": "audit.checkpoint_export",
    # campaigns
    "report_value": "campaigns.value_report",
    "progress_accepted": "campaigns.progress_accept",
    "report_submit": "campaigns.report_submit",
    "report_return": "campaigns.report_return",
    "report_accept": "campaigns.report_accept",
    # core
    "backup": "core.backup",
    "restore": "core.restore",
    "attach": "core.file_attach",
    "import_uploaded": "core.import_upload",
    "import_queued": "core.import_queue",
    "import_confirmed": "core.import_confirm",
    "import_cancelled": "core.import_cancel",
    "import_finished": "core.import_finish",
    # documents
    "doc_template_upload": "documents.template_upload",
    "doc_template_activate": "documents.template_activate",
    "doc_template_restore": "documents.template_restore",
    "doc_template_retire": "documents.template_retire",
    # enforcement: the 抽查事项清单 row was CheckItem (clashing with checks.CheckItem), now InspectionMatter
    "enforcement.item_create": "enforcement.matter_create",
    # enforcement.CreditRecord moved into the credit module (credit.CreditEvent)
    "enforcement.credit_record": "credit.event_record",
    # escalation
    "escalation.ladder_created": "escalation.ladder_create",
    "escalation.ladder_saved": "escalation.ladder_save",
    "escalation.manual": "escalation.escalate",
    "escalation.proposed": "escalation.propose",
    "escalation.applied": "escalation.apply",
    "escalation.superseded": "escalation.supersede",
    "escalation.confirmed": "escalation.confirm",
    "escalation.dismissed": "escalation.dismiss",
    "escalation.item_assigned": "escalation.item_assign",
    "escalation.item_extended": "escalation.item_extend",
    "escalation.item_done": "escalation.item_report",
    "escalation.item_closed": "escalation.item_close",
    "escalation.item_returned": "escalation.item_return",
    # hazards
    "hazards.template_created": "hazards.template_create",
    "hazards.bulletin": "hazards.circular_issue",
    # ledgers: every work-permit move was stored as "transition" (which move is in its changes)
    "transition": "ledgers.permit_transition",
    # risk
    "risk_point_create": "risk.point_create",
    "risk_point_update": "risk.point_update",
    "risk_point_archive": "risk.point_archive",
    "risk_point_assess": "risk.point_assess",
    "risk_point_place": "risk.point_place",
    "risk_measure_add": "risk.measure_add",
    "risk_measure_delete": "risk.measure_delete",
    "risk_report_submit": "risk.report_submit",
    "risk_report_acknowledge": "risk.report_acknowledge",
    "risk_class_override": "risk.class_override",
    "risk_meeting_record": "risk.meeting_record",
    "risk_hazard_link": "risk.hazard_link",
    "risk_hazard_unlink": "risk.hazard_unlink",
    "risk_scheme_save": "risk.scheme_save",
}


def current(action: str, object_type: str = "") -> str:
    """The current name of a stored action (itself when it is already current)."""
    if action in GENERIC and "." in object_type:
        return f"{object_type.split('.', 1)[0]}.{action}"
    return LEGACY.get(action, action)


def action_q(name: str) -> Q:
    """Events stored under ``name`` or under any old name of the same action (``name`` may be old or current)."""
    name = name.strip()
    if name in GENERIC:  # an old generic verb: that verb on any object
        return Q(action=name) | Q(action__endswith=f".{name}")
    name = LEGACY.get(name, name)
    q = Q(action=name)
    olds = [old for old, new in LEGACY.items() if new == name]
    if olds:
        q |= Q(action__in=olds)
    app, _, verb = name.partition(".")
    if verb in GENERIC:
        q |= Q(action=verb, object_type__startswith=f"{app}.")
    return q
