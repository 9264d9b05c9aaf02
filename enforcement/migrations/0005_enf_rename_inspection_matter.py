from django.db import migrations


class Migration(migrations.Migration):
    """The 抽查事项清单 row: CheckItem (a name clashing with checks.CheckItem) becomes InspectionMatter. The rows and
    their table's contents are kept (RenameModel renames the table)."""

    dependencies = [
        ("enforcement", "0004_enf_checklist_results"),
    ]

    operations = [
        migrations.RenameModel(old_name="CheckItem", new_name="InspectionMatter"),
    ]
