"""The audit administrator's actions on the change log: verify it, export a signed checkpoint of it. Both seal
the committed events first (``core.chain.seal``), so they see the log as it is now."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from core import anchor, audit
from core.anchor import Checkpoint
from core.chain import ChainReport, seal, verify_history

logger = logging.getLogger("anzhi.chain")


def history_verify(*, actor: Any, extra: Sequence[Checkpoint] = ()) -> ChainReport:
    """Seal, then check the log and its checkpoints (anchor file, plus ``extra`` handed in by the auditor); the
    check itself is recorded, with its outcome."""
    report = verify_history(extra=extra)
    with transaction.atomic():
        audit.record(action="audit.chain_verify", object_type="core.changeevent", actor=actor, success=report.ok,
                     note=_("检查 %(n)d 条，问题 %(p)d 处") % {"n": report.checked, "p": len(report.problems)})
    return report


def _anchor_quietly(cp: Checkpoint) -> None:
    try:
        anchor.append(cp)
    except OSError:  # the auditor still holds the signed checkpoint; the operator sees the log
        logger.exception("could not append the exported checkpoint #%s to the anchor file", cp.seq)


def checkpoint_export(*, actor: Any) -> Checkpoint:
    """A signed checkpoint for the auditor to keep outside the system. The export is recorded first; then the
    committed events, that record included, are sealed, and the checkpoint pins the latest block (the sealer's
    head, read under its lock). It is appended to the anchor file as well."""
    with transaction.atomic():
        event = audit.record(action="audit.checkpoint_export", object_type="core.changeevent", actor=actor,
                             note=_("导出签名的链头检查点"))
    with transaction.atomic():
        seal()
        number, digest = anchor.current_head()
        cp = anchor.make_block("export", number, digest, by=actor.get_username(), event=event.seq)
        transaction.on_commit(lambda: _anchor_quietly(cp))
    return cp
