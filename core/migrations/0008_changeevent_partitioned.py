"""The change log range-partitioned by ``seq`` on PostgreSQL (core/partitions.py); SQLite keeps one table.

- The existing table becomes the first partition, ``core_changeevent_0``, for every number below the first
  boundary above its highest ``seq`` (a multiple of ``AUDIT_PARTITION_SIZE``); its indexes are renamed so that the
  new parent carries Django's names, and they are attached to the parent's indexes as they match. Attaching
  checks the old rows against the bound once (a scan, under the migration's lock).
- ``core_changeevent_default`` takes numbers no partition covers yet; ``core.partitions.ensure_partitions`` (run
  after every migrate and daily) keeps empty partitions ahead of the sequence.
- ``hash`` is no longer declared unique: a unique index on a partitioned table must contain the partition key.
  Each hash is the HMAC of its event's content, ``seq`` included, and nothing looks an event up by its hash; the
  chain's verification, not an index, is what finds a copied or altered event. On SQLite the column keeps the
  unique index it was created with (rebuilding the table would drop the append-only triggers).
- Triggers: UPDATE and DELETE are refused per row by ``core_changeevent_append_only`` on the parent, which
  PostgreSQL clones onto every partition (a statement trigger on the parent would not fire for a statement
  naming a partition); TRUNCATE by ``core_changeevent_no_truncate``; the sealer's queue trigger moves to the parent
  (a statement trigger with a transition table sees the rows of every partition).
"""

from django.conf import settings
from django.db import migrations, models

TABLE = "core_changeevent"


def _indexes(cur, table):
    cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = %s",
                [table])
    return cur.fetchall()


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    size = int(settings.AUDIT_PARTITION_SIZE)
    with connection.cursor() as cur:
        cur.execute("SELECT EXISTS (SELECT 1 FROM pg_partitioned_table WHERE partrelid = to_regclass(%s))", [TABLE])
        if cur.fetchone()[0]:
            return
        cur.execute(f"LOCK TABLE {TABLE} IN ACCESS EXCLUSIVE MODE")
        cur.execute(f"SELECT COALESCE(MAX(seq), 0) FROM {TABLE}")
        bound = (cur.fetchone()[0] // size + 1) * size
        cur.execute(
            "SELECT conname, contype FROM pg_constraint WHERE conrelid = to_regclass(%s) AND contype IN ('p', 'u')",
            [TABLE])
        constraints = cur.fetchall()
        indexes = _indexes(cur, TABLE)
        owned = {name for name, _ in constraints}
        cur.execute(f"DROP TRIGGER IF EXISTS core_changeevent_append_only ON {TABLE}")
        cur.execute(f"DROP TRIGGER IF EXISTS core_changeevent_enqueue ON {TABLE}")
        cur.execute(f"ALTER TABLE {TABLE} RENAME TO {TABLE}_0")
        # The unique hash goes (with its pattern index); the other indexes keep their definitions under new names,
        # so that the parent can take Django's and attach them.
        keep = []
        for name, kind in constraints:
            if kind == "u":
                cur.execute(f'ALTER TABLE {TABLE}_0 DROP CONSTRAINT "{name}"')
            else:
                cur.execute(f'ALTER TABLE {TABLE}_0 RENAME CONSTRAINT "{name}" TO "{TABLE}_0_pkey"')
        for number, (name, definition) in enumerate(indexes):
            if name in owned:
                continue
            if "(hash" in definition:
                cur.execute(f'DROP INDEX "{name}"')
                continue
            cur.execute(f'ALTER INDEX "{name}" RENAME TO "{TABLE}_0_i{number}"')
            keep.append(definition)
        cur.execute(f"CREATE TABLE {TABLE} (LIKE {TABLE}_0 INCLUDING DEFAULTS) PARTITION BY RANGE (seq)")
        cur.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY (seq)")
        for definition in keep:  # "CREATE INDEX name ON public.core_changeevent …": the new parent now
            cur.execute(definition)
        cur.execute(f"ALTER TABLE {TABLE} ATTACH PARTITION {TABLE}_0 FOR VALUES FROM (MINVALUE) TO ({bound})")
        cur.execute(f"CREATE TABLE {TABLE}_default PARTITION OF {TABLE} DEFAULT")
        cur.execute(f"CREATE TRIGGER core_changeevent_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
                    "FOR EACH ROW EXECUTE FUNCTION core_changeevent_append_only()")
        cur.execute(f"CREATE TRIGGER core_changeevent_no_truncate BEFORE TRUNCATE ON {TABLE} "
                    "FOR EACH STATEMENT EXECUTE FUNCTION core_changeevent_append_only()")
        cur.execute(f"CREATE TRIGGER core_changeevent_enqueue AFTER INSERT ON {TABLE} REFERENCING NEW TABLE AS "
                    "new_events FOR EACH STATEMENT EXECUTE FUNCTION core_changeevent_enqueue()")


def backwards(apps, schema_editor):
    """Back to one table: the events copied into a plain table of the same shape, triggers as migration 0007 left
    them."""
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cur:
        cur.execute("SELECT EXISTS (SELECT 1 FROM pg_partitioned_table WHERE partrelid = to_regclass(%s))", [TABLE])
        if not cur.fetchone()[0]:
            return
        indexes = [d for n, d in _indexes(cur, TABLE) if n != f"{TABLE}_pkey"]
        cur.execute(f"LOCK TABLE {TABLE} IN ACCESS EXCLUSIVE MODE")
        cur.execute(f"CREATE TABLE {TABLE}_plain (LIKE {TABLE} INCLUDING DEFAULTS)")
        cur.execute(f"INSERT INTO {TABLE}_plain SELECT * FROM {TABLE}")
        cur.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER core_changeevent_no_truncate")
        cur.execute(f"DROP TABLE {TABLE} CASCADE")
        cur.execute(f"ALTER TABLE {TABLE}_plain RENAME TO {TABLE}")
        cur.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY (seq)")
        cur.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_hash_key UNIQUE (hash)")
        for definition in indexes:
            cur.execute(definition)
        cur.execute(f"CREATE TRIGGER core_changeevent_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON {TABLE} "
                    "FOR EACH STATEMENT EXECUTE FUNCTION core_changeevent_append_only()")
        cur.execute(f"CREATE TRIGGER core_changeevent_enqueue AFTER INSERT ON {TABLE} REFERENCING NEW TABLE AS "
                    "new_events FOR EACH STATEMENT EXECUTE FUNCTION core_changeevent_enqueue()")


class Migration(migrations.Migration):
    dependencies = [("core", "0007_chain_sealed_blocks")]
    operations = [
        migrations.RunPython(forwards, backwards),
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.AlterField(model_name="changeevent", name="hash", field=models.CharField(max_length=64)),
        ]),
    ]
