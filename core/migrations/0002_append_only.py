"""Seed the chain head and make the change log append-only in the database itself."""

from django.db import migrations

SQLITE = [
    "CREATE TRIGGER core_changeevent_no_update BEFORE UPDATE ON core_changeevent "
    "BEGIN SELECT RAISE(ABORT, 'core_changeevent is append-only'); END;",
    "CREATE TRIGGER core_changeevent_no_delete BEFORE DELETE ON core_changeevent "
    "BEGIN SELECT RAISE(ABORT, 'core_changeevent is append-only'); END;",
]
SQLITE_REVERSE = ["DROP TRIGGER IF EXISTS core_changeevent_no_update;", "DROP TRIGGER IF EXISTS core_changeevent_no_delete;"]
POSTGRES = [
    "CREATE OR REPLACE FUNCTION core_changeevent_append_only() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION 'core_changeevent is append-only'; END; $$ LANGUAGE plpgsql;",
    "CREATE TRIGGER core_changeevent_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON core_changeevent "
    "FOR EACH STATEMENT EXECUTE FUNCTION core_changeevent_append_only();",
]
POSTGRES_REVERSE = ["DROP TRIGGER IF EXISTS core_changeevent_append_only ON core_changeevent;",
                    "DROP FUNCTION IF EXISTS core_changeevent_append_only();"]


def forwards(apps, schema_editor):
    apps.get_model("core", "ChainHead").objects.get_or_create(pk=1)
    vendor = schema_editor.connection.vendor
    statements = SQLITE if vendor == "sqlite" else POSTGRES if vendor == "postgresql" else []
    for sql in statements:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in SQLITE_REVERSE if vendor == "sqlite" else POSTGRES_REVERSE if vendor == "postgresql" else []:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
