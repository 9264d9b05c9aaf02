"""Link each enterprise to the unit of its name, once (issue 10, item 4).

Until now an enterprise account acted for "the unit of the same name as its enterprise", matched on every request,
so renaming either changed what the account saw. From now the link ``Enterprise.unit`` decides. This migration
resolves the name matches that exist today and prints those it cannot resolve, for the office to link by hand on
the enterprise's edit page: a unit of that name that is not a single enterprise-kind unit (a department, a
collective name), a name shared by several enterprises, a unit already linked to another enterprise.
"""

from __future__ import annotations

import sys
from collections import defaultdict

from django.db import migrations


def link_units_by_name(apps, schema_editor):  # type: ignore[no-untyped-def]
    Enterprise = apps.get_model("enterprises", "Enterprise")
    Unit = apps.get_model("orgs", "Unit")
    units = {u.name: u for u in Unit.objects.all()}  # a few hundred at most; names are unique
    taken = set(Enterprise.objects.filter(unit__isnull=False).values_list("unit_id", flat=True))
    by_name: dict[str, list[int]] = defaultdict(list)
    names = list(units)
    for start in range(0, len(names), 500):
        for pk, name in (Enterprise.objects.filter(unit__isnull=True, name__in=names[start:start + 500])
                         .values_list("pk", "name")):
            by_name[name].append(pk)
    unresolved: list[str] = []
    for name, enterprise_ids in sorted(by_name.items()):
        unit = units[name]
        if unit.kind != "enterprise" or unit.collective:
            unresolved.append(f"{name}: the unit of this name is a {unit.kind}"
                              f"{' (collective)' if unit.collective else ''}, not an enterprise; not linked")
        elif len(enterprise_ids) > 1:
            unresolved.append(f"{name}: {len(enterprise_ids)} enterprises share the name "
                              f"(ids {', '.join(map(str, enterprise_ids))}); none linked")
        elif unit.pk in taken:
            unresolved.append(f"{name}: the unit is already linked to another enterprise; not linked")
        else:
            Enterprise.objects.filter(pk=enterprise_ids[0]).update(unit=unit)
            taken.add(unit.pk)
    if unresolved:
        sys.stdout.write("\n  enterprises.0005: name matches left for the office to link by hand:\n")
        for line in unresolved:
            sys.stdout.write(f"    {line}\n")


class Migration(migrations.Migration):

    dependencies = [
        ("enterprises", "0004_delete_enterpriseimport"),
        ("orgs", "0001_initial"),
    ]

    # Reversing keeps the links: they may have been set by hand since, and the old rule needs no data.
    operations = [migrations.RunPython(link_units_by_name, migrations.RunPython.noop)]
