"""Bulk inserts for imports and jobs: COPY on PostgreSQL, ``bulk_create`` elsewhere.

``insert_objects`` writes new model instances and gives them their primary keys (on PostgreSQL the keys are
taken from the table's sequence first, then the rows are COPY'd in with them); ``copy_rows`` writes plain
tuples of column values (link tables, events). Both run inside the caller's transaction, fire no signals (as
``bulk_create``) and leave the change log to the caller (``core.audit.record_many``)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connections, models, router

# Fields whose Python value psycopg writes as is (no ``get_db_prep_save`` needed).
_RAW = {"AutoField", "BigAutoField", "SmallAutoField", "BigIntegerField", "BooleanField", "CharField", "DateField",
        "DateTimeField", "DecimalField", "FloatField", "ForeignKey", "OneToOneField", "IntegerField",
        "PositiveBigIntegerField", "PositiveIntegerField", "PositiveSmallIntegerField", "SlugField",
        "SmallIntegerField", "TextField", "EmailField", "URLField", "GenericIPAddressField", "UUIDField"}


def _connection(model: type[models.Model]) -> Any:
    return connections[router.db_for_write(model)]


def reserve_pks(model: type[models.Model], n: int) -> list[int]:
    """``n`` new primary keys from the table's sequence (PostgreSQL)."""
    connection = _connection(model)
    with connection.cursor() as cur:
        cur.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                    [model._meta.db_table, model._meta.pk.column, n])
        return sorted(row[0] for row in cur.fetchall())


def insert_objects(objs: Sequence[models.Model], *, batch: int = 2000, keys: bool = True) -> None:
    """Insert new instances of one model and set their primary keys: COPY on PostgreSQL, ``bulk_create``
    (which returns the keys) elsewhere. ``keys=False`` when nothing needs the new rows' keys (link rows,
    milestones): on PostgreSQL the table's default numbers them in the one COPY and the instances keep no key."""
    if not objs:
        return
    model = type(objs[0])
    connection = _connection(model)
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(objs, batch_size=batch)
        return
    meta = model._meta
    pk = meta.pk
    if keys:
        for obj, key in zip((o for o in objs if o.pk is None),
                            reserve_pks(model, sum(1 for o in objs if o.pk is None)), strict=True):
            setattr(obj, pk.attname, key)
    elif any(o.pk is not None for o in objs):
        raise ValueError("insert_objects(keys=False) takes instances without keys only")
    fields = [f for f in meta.concrete_fields if not f.generated and (keys or f is not pk)]
    raw = [f.get_internal_type() in _RAW for f in fields]
    rows = ([v if plain else f.get_db_prep_save(v, connection)
             for f, plain, v in zip(fields, raw, (f.pre_save(obj, True) for f in fields), strict=True)]
            for obj in objs)
    copy_rows(model, [f.column for f in fields], rows, prepared=True)
    if keys:
        for obj in objs:
            obj._state.adding = False
            obj._state.db = connection.alias


def new_defaults(model: type[models.Model]) -> dict[str, Any]:
    """{attname: value} a new instance of ``model`` holds before it is given any value (defaults), primary key
    left out."""
    proto = model()
    return {f.attname: getattr(proto, f.attname) for f in model._meta.concrete_fields
            if not f.primary_key and not f.generated}


def insert_values(model: type[models.Model], values: Sequence[dict[str, Any]], *, batch: int = 2000) -> list[Any]:
    """New rows of ``model`` given as {attname: value} (a foreign key by its ``_id``), without building model
    instances: every field not given takes what a new instance would save (its default, ``auto_now_add``).
    Returns the new primary keys, in order. PostgreSQL: keys from the table's sequence, then one COPY;
    elsewhere instances through ``bulk_create``."""
    if not values:
        return []
    connection = _connection(model)
    if connection.vendor != "postgresql":
        objs = [model(**v) for v in values]
        model._default_manager.bulk_create(objs, batch_size=batch)
        return [o.pk for o in objs]
    meta = model._meta
    proto = model()
    fields = [f for f in meta.concrete_fields if not f.primary_key and not f.generated]
    defaults = [f.pre_save(proto, True) for f in fields]
    names = [f.attname for f in fields]
    allowed = set(names)
    for v in values:
        if not v.keys() <= allowed:
            raise ValueError(f"insert_values: not fields of {meta.label}: {sorted(set(v) - allowed)}")
    keys = reserve_pks(model, len(values))
    pairs = list(zip(names, defaults, strict=True))
    rows = ((key, *[v[n] if n in v else d for n, d in pairs]) for key, v in zip(keys, values, strict=True))
    copy_rows(model, [meta.pk.column, *(f.column for f in fields)], rows)
    return keys


def copy_rows(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]], *,
              prepared: bool = False) -> int:
    """Insert rows of ``model``'s table given as column values (``columns`` are column names; a foreign key
    is its ``_id`` column). COPY on PostgreSQL; elsewhere instances through ``bulk_create``."""
    connection = _connection(model)
    count = 0
    if connection.vendor != "postgresql":
        by_column = {f.column: f.attname for f in model._meta.concrete_fields}
        names = [by_column[c] for c in columns]
        objs = [model(**dict(zip(names, row, strict=True))) for row in rows]
        model._default_manager.bulk_create(objs, batch_size=1000)
        return len(objs)
    if not prepared:
        fields = {f.column: f for f in model._meta.concrete_fields}
        convert = [None if fields[c].get_internal_type() in _RAW else fields[c] for c in columns]
        if any(convert):
            rows = ([v if f is None else f.get_db_prep_save(v, connection) for f, v in zip(convert, row, strict=True)]
                    for row in rows)
    quote = connection.ops.quote_name
    sql = f"COPY {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    with connection.cursor() as cur, cur.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def insert_rows(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """New rows of ``model`` given as values of ``columns`` only (no model instances: link rows, milestones of a
    bulk import): every other column takes the value a new instance would save (its default, ``auto_now_add``),
    the key the table's default. COPY on PostgreSQL; elsewhere instances through ``bulk_create``, which fill
    the other columns themselves."""
    if _connection(model).vendor != "postgresql":
        return copy_rows(model, columns, rows)
    given = set(columns)
    rest = [f for f in model._meta.concrete_fields if f.column not in given and not f.primary_key and not f.generated]
    proto = model()
    defaults = tuple(f.pre_save(proto, True) for f in rest)
    return copy_rows(model, [*columns, *(f.column for f in rest)], ((*row, *defaults) for row in rows))


def update_rows(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]], *,
                batch: int = 500) -> int:
    """Set ``columns`` of existing rows of ``model``, each row given as (primary key, *values of ``columns``)
    (column names; a foreign key is its ``_id`` column). PostgreSQL: the rows are COPY'd into a temporary table
    of the same column types, then one ``UPDATE … FROM`` (four statements whatever the number of rows);
    elsewhere ``bulk_update`` (one ``UPDATE … CASE`` per ``batch`` rows). Fires no signals, runs no
    ``pre_save`` (``auto_now`` columns are set only when given) and leaves the change log to the caller."""
    rows = list(rows)
    if not rows:
        return 0
    meta = model._meta
    connection = _connection(model)
    by_column = {f.column: f for f in meta.concrete_fields}
    fields = [by_column[c] for c in columns]
    if connection.vendor != "postgresql":
        objs = []
        for row in rows:
            obj = model(**{meta.pk.attname: row[0]})
            for f, v in zip(fields, row[1:], strict=True):
                setattr(obj, f.attname, v)
            objs.append(obj)
        model._default_manager.bulk_update(objs, [f.name for f in fields], batch_size=batch)
        return len(objs)
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    pk = quote(meta.pk.column)
    names = [quote(c) for c in columns]
    temp = quote(f"upd_{meta.db_table}_{uuid.uuid4().hex[:8]}")
    convert = [None if f.get_internal_type() in _RAW else f for f in fields]
    with connection.cursor() as cur:
        cur.execute(f"CREATE TEMPORARY TABLE {temp} ON COMMIT DROP AS SELECT {pk}, {', '.join(names)} "
                    f"FROM {table} WITH NO DATA")
        with cur.cursor.copy(f"COPY {temp} ({pk}, {', '.join(names)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row((row[0], *(v if f is None else f.get_db_prep_save(v, connection)
                                          for f, v in zip(convert, row[1:], strict=True))))
        cur.execute(f"UPDATE {table} AS t SET {', '.join(f'{n} = u.{n}' for n in names)} FROM {temp} AS u "
                    f"WHERE t.{pk} = u.{pk}")
        cur.execute(f"DROP TABLE {temp}")
    return len(rows)


def upsert_counts(model: type[models.Model], key: Sequence[str], counts: dict[tuple[Any, ...], int], *,
                  batch: int = 500) -> None:
    """Add ``counts`` ({key values: n}) to the ``n`` column of the rows of ``model`` keyed by the columns ``key``
    (a unique constraint), creating missing rows: ``INSERT … ON CONFLICT DO UPDATE`` (PostgreSQL and SQLite), in
    key order so two writers lock rows in the same order. Zero counts are skipped."""
    rows = sorted(((k, n) for k, n in counts.items() if n),
                  key=lambda kv: tuple("" if v is None else str(v) for v in kv[0]))
    if not rows:
        return
    connection = _connection(model)
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    columns = ", ".join(qn(c) for c in (*key, "n"))
    one = "(" + ", ".join(["%s"] * (len(key) + 1)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            part = rows[start:start + batch]
            params: list[Any] = []
            for k, n in part:
                params += [*k, n]
            cursor.execute(f"INSERT INTO {table} ({columns}) VALUES {', '.join([one] * len(part))} "
                           f"ON CONFLICT ({', '.join(qn(c) for c in key)}) DO UPDATE SET {qn('n')} = "
                           f"{table}.{qn('n')} + excluded.{qn('n')}", params)
