"""enforcement.CreditRecord moves into credit.CreditEvent (one record of an enterprise's credit): each stored
record becomes a penalty event keyed by its case, as the collector keys it, so the collector adds no duplicate."""

import datetime as dt
from decimal import Decimal

from django.db import migrations
from django.utils import timezone

HEAVY = {"suspension", "licence", "closure"}


def _add_years(day, years):
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def forward(apps, schema_editor):
    CreditRecord = apps.get_model("enforcement", "CreditRecord")
    CreditEvent = apps.get_model("credit", "CreditEvent")
    now = timezone.now()
    seen = set(CreditEvent.objects.values_list("source_key", flat=True))
    rows = []
    for r in CreditRecord.objects.select_related("case").order_by("pk").iterator(chunk_size=2000):
        if r.case_id:
            key, source_type, source_id = f"penalty:enforcement.case:{r.case_id}", "enforcement.case", r.case_id
            types = set(r.case.penalty_types or ())
        else:
            key, source_type, source_id = f"penalty:enforcement.creditrecord:{r.pk}", "", None
            types = set()
        if key in seen:
            continue
        seen.add(key)
        heavy = bool(types & HEAVY) or (r.amount or Decimal(0)) >= Decimal("100000")
        rows.append(CreditEvent(
            enterprise_id=r.enterprise_id, jurisdiction_path=r.jurisdiction_path, kind="penalty",
            points=-20 if heavy else -10, grounds=r.summary[:500], amount=r.amount, source_type=source_type,
            source_id=source_id, source_key=key, occurred_on=r.recorded_on,
            expires_on=_add_years(r.recorded_on, 3), department_id=r.department_id, recorded_at=now,
            revoked_at=r.revoked_at, revoke_reason="处罚决定已撤回（行政处罚法第四十八条）" if r.revoked_at else ""))
    CreditEvent.objects.bulk_create(rows, batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [
        ("credit", "0001_credit_initial"),
        ("enforcement", "0007_enf_premises_drop_old"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
