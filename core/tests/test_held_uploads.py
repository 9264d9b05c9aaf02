"""Photos survive a refused form (issue 14 item 7): kept under a signed token of the uploader, used by the next
submit, never by anyone else, removed after a day."""

from __future__ import annotations

import os
import re
import time

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from core.models import Attachment
from core.uploads import held_files, hold_files, prune_held_files
from hazards.models import Hazard
from hazards.tests.factories import photo, png_bytes
from tests.personas import World


def test_held_files_come_back_only_to_their_uploader(world: World) -> None:
    owner, other = world.user("enterprise_a"), world.user("enterprise_b")
    token, names = hold_files(owner, [photo("现场.png"), SimpleUploadedFile("x.exe", b"MZ\x90\x00", "image/png")])
    assert names == ["现场.png"]  # checked by content: the fake image is not kept
    back = held_files(owner, token)
    assert [f.name for f in back] == ["现场.png"] and back[0].read() == png_bytes()
    assert held_files(other, token) == []
    assert held_files(owner, token[:-2] + "xx") == []
    assert held_files(owner, "") == []


def test_held_files_expire(world: World) -> None:
    token, _names = hold_files(world.user("enterprise_a"), [photo()])
    prune_held_files()  # a fresh set is not old
    assert held_files(world.user("enterprise_a"), token) != []
    assert prune_held_files(now=time.time() + 2 * 24 * 3600) >= 1
    assert held_files(world.user("enterprise_a"), token) == []


def test_a_refused_hazard_form_keeps_its_photo(client: Client, world: World) -> None:
    client.force_login(world.users["enterprise_a"])
    ent = world.enterprises["ent_a1"]
    refused = client.post("/hazards/new/", {"enterprise": ent.pk, "description": "", "source": "self",
                                            "category": "thing", "photos": photo("配电柜.png")})
    assert refused.status_code == 200
    html = refused.content.decode()
    assert 'data-testid="held-photos"' in html and "配电柜.png" in html
    token = re.search(r'name="held_photos" value="([^"]+)"', html).group(1)
    done = client.post("/hazards/new/", {"enterprise": ent.pk, "description": "配电柜前堆放杂物", "source": "self",
                                         "category": "thing", "held_photos": token})
    assert done.status_code == 302
    hazard = Hazard.objects.get(description="配电柜前堆放杂物")
    files = Attachment.objects.filter(owner_type="hazards.hazard", owner_id=str(hazard.pk))
    assert [f.original_name for f in files] == ["配电柜.png"]


def test_another_users_token_attaches_nothing(client: Client, world: World) -> None:
    token, _names = hold_files(world.user("enterprise_b"), [photo("别人的.png")])
    client.force_login(world.users["enterprise_a"])
    ent = world.enterprises["ent_a1"]
    client.post("/hazards/new/", {"enterprise": ent.pk, "description": "他人照片测试", "source": "self",
                                  "category": "thing", "held_photos": token})
    hazard = Hazard.objects.get(description="他人照片测试")
    assert not Attachment.objects.filter(owner_type="hazards.hazard", owner_id=str(hazard.pk)).exists()
    assert os.sep not in token
