from django.db import migrations


class Migration(migrations.Migration):
    """The second half of 0006: the inspection's premises is the checks.Premises row; enforcement.Premises goes."""

    dependencies = [
        ("enforcement", "0006_enf_premises_into_checks"),
    ]

    operations = [
        migrations.RemoveField(model_name="inspection", name="premises"),
        migrations.RenameField(model_name="inspection", old_name="premises_unified", new_name="premises"),
        migrations.DeleteModel(name="Premises"),
    ]
