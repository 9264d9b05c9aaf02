"""Random walks over a template version's states (``tests/workflows.py``): only the owning unit's office or
department activates, retires and restores its own versions, and a unit never has two versions in use."""

from __future__ import annotations

import random
from typing import Any

import pytest

from core.workflow import Move
from documents import services, workflow
from documents.models import DocumentTemplate, TemplateState
from documents.registry import get_type
from documents.tests.helpers import edited, upload
from tests.personas import World
from tests.workflows import Walk, walk

pytestmark = pytest.mark.django_db
MONTHLY = "campaign_monthly"


def _draft(world: World, rng: random.Random) -> DocumentTemplate:
    return services.template_upload(actor=world.user("office"), doc_type=get_type(MONTHLY),
                                    file=upload(edited(MONTHLY, before=[f"文头{rng.randint(1, 10**9)}"])))


def _act(world: World, template: DocumentTemplate, to: str, move: Move, actor: Any, data: dict[str, Any]) -> None:
    template.refresh_from_db()
    # Activating the version already in use is a deliberate no-op of the service (a second click); the walk
    # then asks the table itself, which refuses the move.
    if to == TemplateState.ACTIVE and template.state != TemplateState.ACTIVE:
        services.template_activate(actor=actor, template=template)
    else:
        services.template_transition(actor=actor, template=template, to=to)


WALKS = [Walk(workflow=workflow.TRANSITIONS, make=_draft, act=_act, examples=8, every_move=True,
              personas=["office", "regulator", "township_a", "enterprise_a"])]


def test_template_walks_reach_every_state_and_keep_one_version_in_use(world: World) -> None:
    seen = walk(WALKS[0], world)
    # Only the office owns these versions; a department's regulator manages its own unit's, not the office's.
    assert {key for _frm, _to, key in seen.applied} == {"office"}
    in_use = DocumentTemplate.objects.filter(doc_type=MONTHLY, state=TemplateState.ACTIVE)
    assert in_use.values("unit").distinct().count() == in_use.count() <= 1
