"""The change log without a global lock: events carry their own HMAC and are sealed into hash-chained blocks.

- ``ChainBlock`` (append-only, like the events) and ``UnsealedEvent`` (the sealer's queue, filled by a trigger
  on every insert into core_changeevent);
- ``ChainHead`` now points at the latest block (``last_block``);
- on PostgreSQL, the sequence ``core_changeevent_seq`` numbers new events;
- existing events become block 1, the *legacy segment*: its root is the old chain head's hash, so it stays
  verifiable the old way (each event linked to the one before it), and checkpoints taken before this
  migration (which pin legacy event seqs) stay valid.
"""

import datetime as dt
import hashlib
import hmac
import json

from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

SQLITE = [
    "CREATE TRIGGER core_chainblock_no_update BEFORE UPDATE ON core_chainblock "
    "BEGIN SELECT RAISE(ABORT, 'core_chainblock is append-only'); END;",
    "CREATE TRIGGER core_chainblock_no_delete BEFORE DELETE ON core_chainblock "
    "BEGIN SELECT RAISE(ABORT, 'core_chainblock is append-only'); END;",
    "CREATE TRIGGER core_changeevent_enqueue AFTER INSERT ON core_changeevent "
    "BEGIN INSERT INTO core_unsealedevent (seq) VALUES (NEW.seq); END;",
]
SQLITE_REVERSE = ["DROP TRIGGER IF EXISTS core_chainblock_no_update;", "DROP TRIGGER IF EXISTS core_chainblock_no_delete;",
                  "DROP TRIGGER IF EXISTS core_changeevent_enqueue;"]
POSTGRES = [
    "CREATE OR REPLACE FUNCTION core_chainblock_append_only() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION 'core_chainblock is append-only'; END; $$ LANGUAGE plpgsql;",
    "CREATE TRIGGER core_chainblock_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON core_chainblock "
    "FOR EACH STATEMENT EXECUTE FUNCTION core_chainblock_append_only();",
    # One statement per INSERT statement (a bulk insert of 1,000 events queues them in one go).
    "CREATE OR REPLACE FUNCTION core_changeevent_enqueue() RETURNS trigger AS $$ "
    "BEGIN INSERT INTO core_unsealedevent (seq) SELECT seq FROM new_events; RETURN NULL; END; $$ LANGUAGE plpgsql;",
    "CREATE TRIGGER core_changeevent_enqueue AFTER INSERT ON core_changeevent REFERENCING NEW TABLE AS new_events "
    "FOR EACH STATEMENT EXECUTE FUNCTION core_changeevent_enqueue();",
    "CREATE SEQUENCE IF NOT EXISTS core_changeevent_seq AS bigint",
    "SELECT setval('core_changeevent_seq', GREATEST((SELECT COALESCE(MAX(seq), 0) FROM core_changeevent), 1), "
    "(SELECT COUNT(*) > 0 FROM core_changeevent))",
]
POSTGRES_REVERSE = ["DROP TRIGGER IF EXISTS core_chainblock_append_only ON core_chainblock;",
                    "DROP FUNCTION IF EXISTS core_chainblock_append_only();",
                    "DROP TRIGGER IF EXISTS core_changeevent_enqueue ON core_changeevent;",
                    "DROP FUNCTION IF EXISTS core_changeevent_enqueue();",
                    "DROP SEQUENCE IF EXISTS core_changeevent_seq;"]


def _block_hash(payload):
    # Exactly core.chain.block_hash, frozen here so that this migration never changes meaning.
    key = (settings.AUDIT_CHAIN_KEY or "").encode()
    body = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    return hmac.new(key, b"anzhi-block|" + body, hashlib.sha256).hexdigest()


def forwards(apps, schema_editor):
    ChainHead = apps.get_model("core", "ChainHead")
    ChainBlock = apps.get_model("core", "ChainBlock")
    head, _ = ChainHead.objects.get_or_create(pk=1)
    if head.last_seq > 0:
        at = timezone.now()
        payload = {"number": 1, "kind": "legacy", "ranges": [[1, head.last_seq]], "count": head.last_seq,
                   "root": head.last_hash, "prev": "0" * 64,
                   "at": at.astimezone(dt.UTC).isoformat()}
        block = ChainBlock.objects.create(number=1, kind="legacy", ranges=payload["ranges"], count=head.last_seq,
                                          root=head.last_hash, prev_hash="0" * 64, hash=_block_hash(payload),
                                          sealed_at=at)
        ChainHead.objects.filter(pk=1).update(last_seq=1, last_hash=block.hash)
    else:
        ChainHead.objects.filter(pk=1).update(last_seq=0, last_hash="0" * 64)
    vendor = schema_editor.connection.vendor
    for sql in SQLITE if vendor == "sqlite" else POSTGRES if vendor == "postgresql" else []:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in SQLITE_REVERSE if vendor == "sqlite" else POSTGRES_REVERSE if vendor == "postgresql" else []:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("core", "0006_import_preview_and_mappings")]

    operations = [
        migrations.CreateModel(
            name="ChainBlock",
            fields=[
                ("number", models.BigIntegerField(primary_key=True, serialize=False, verbose_name="区块序号")),
                ("kind", models.CharField(default="seal", max_length=8)),
                ("ranges", models.JSONField(default=list)),
                ("count", models.PositiveIntegerField(default=0)),
                ("root", models.CharField(max_length=64)),
                ("prev_hash", models.CharField(max_length=64)),
                ("hash", models.CharField(max_length=64, unique=True)),
                ("sealed_at", models.DateTimeField(verbose_name="封存时间")),
            ],
            options={"verbose_name": "日志区块", "verbose_name_plural": "日志区块", "ordering": ["number"]},
        ),
        migrations.CreateModel(
            name="UnsealedEvent",
            fields=[("seq", models.BigIntegerField(primary_key=True, serialize=False))],
            options={"verbose_name": "待封存事件"},
        ),
        migrations.AlterField(
            model_name="changeevent", name="prev_hash", field=models.CharField(blank=True, max_length=64),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.RenameField(model_name="chainhead", old_name="last_seq", new_name="last_block"),
    ]
