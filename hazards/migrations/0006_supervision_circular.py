"""通报 is a circular (GLOSSARY): the model, the template's period field and the 一单N制 step kind say so.

The rows are kept (RenameModel renames the table); the stored step kind "bulletin" becomes "circular", and a
circular's records name it under "circular" in their data."""

from django.db import migrations, models


def _kinds(apps, old: str, new: str) -> None:
    apps.get_model("hazards", "SupervisionStep").objects.filter(kind=old).update(kind=new)
    Record = apps.get_model("hazards", "SupervisionRecord")
    Record.objects.filter(kind=old).update(kind=new)
    for record in Record.objects.filter(kind=new).only("pk", "data"):
        if isinstance(record.data, dict) and old in record.data:
            record.data = {(new if k == old else k): v for k, v in record.data.items()}
            record.save(update_fields=["data"])


def forwards(apps, schema_editor) -> None:
    _kinds(apps, "bulletin", "circular")


def backwards(apps, schema_editor) -> None:
    _kinds(apps, "circular", "bulletin")


class Migration(migrations.Migration):

    dependencies = [
        ('hazards', '0005_statistics_domain_figures'),
    ]

    operations = [
        migrations.RenameModel(
            old_name='SupervisionBulletin',
            new_name='SupervisionCircular',
        ),
        migrations.RemoveConstraint(
            model_name='supervisioncircular',
            name='hz_bulletin_period',
        ),
        migrations.RenameField(
            model_name='supervisiontemplate',
            old_name='bulletin_days',
            new_name='circular_days',
        ),
        migrations.AlterField(
            model_name='supervisionrecord',
            name='kind',
            field=models.CharField(choices=[('assign', '交办制'), ('ledger', '台账制'), ('close', '销号制'), ('circular', '通报制'), ('clear', '清零制'), ('supervise', '督办制'), ('monthly', '月报制'), ('patrol', '巡查追责制'), ('interview', '约谈制')], max_length=12, verbose_name='环节'),
        ),
        migrations.AlterField(
            model_name='supervisionstep',
            name='kind',
            field=models.CharField(choices=[('assign', '交办制'), ('ledger', '台账制'), ('close', '销号制'), ('circular', '通报制'), ('clear', '清零制'), ('supervise', '督办制'), ('monthly', '月报制'), ('patrol', '巡查追责制'), ('interview', '约谈制')], max_length=12, verbose_name='环节'),
        ),
        migrations.AddConstraint(
            model_name='supervisioncircular',
            constraint=models.UniqueConstraint(fields=('period_end',), name='hz_circular_period'),
        ),
        migrations.RunPython(forwards, backwards),
    ]
