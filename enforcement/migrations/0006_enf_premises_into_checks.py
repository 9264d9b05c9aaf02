"""One model of a place that is not a registered enterprise: enforcement.Premises moves into checks.Premises.

Every row is kept (name, address, territory, domain, note; created as a 下店上宅/other premises of the checks app),
every inspection of one points at its new row, and every draw committed before keeps its snapshot (hashed into its
published commitment) and learns, in ``Draw.target_aliases``, which row each of its old premises ids ("p<id>") is
now. The old field and model go in the next migration (its own transaction: PostgreSQL refuses to alter a table
with rows updated in the same transaction while deferred constraint checks are pending)."""

import django.db.models.deletion
from django.db import migrations, models


def move_premises(apps, schema_editor):
    Old = apps.get_model("enforcement", "Premises")
    New = apps.get_model("checks", "Premises")
    Inspection = apps.get_model("enforcement", "Inspection")
    Draw = apps.get_model("enforcement", "Draw")
    aliases = {}
    for old in Old.objects.order_by("pk").iterator():
        new = New.objects.create(name=old.name, address=old.address, jurisdiction_id=old.jurisdiction_id,
                                 jurisdiction_path=old.jurisdiction_path, domain_id=old.domain_id, note=old.note)
        Inspection.objects.filter(premises_id=old.pk).update(premises_unified_id=new.pk)
        aliases[f"p{old.pk}"] = f"p{new.pk}"
    if aliases:
        for draw in Draw.objects.only("pk").iterator():
            Draw.objects.filter(pk=draw.pk).update(target_aliases=aliases)


class Migration(migrations.Migration):

    dependencies = [
        ("checks", "0003_enf_premises_one_model"),
        ("enforcement", "0005_enf_rename_inspection_matter"),
    ]

    operations = [
        migrations.AddField(
            model_name="draw",
            name="target_aliases",
            field=models.JSONField(blank=True, default=dict, editable=False),
        ),
        migrations.AddField(
            model_name="inspection",
            name="premises_unified",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="+", to="checks.premises", verbose_name="被检查场所"),
        ),
        migrations.RunPython(move_premises, migrations.RunPython.noop),
    ]
