# enforcement.CreditRecord moved into credit.CreditEvent (credit 0002 copies the rows first).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('enforcement', '0007_enf_premises_drop_old'),
        ('credit', '0002_credit_absorb_creditrecord'),
    ]

    operations = [
        migrations.DeleteModel(
            name='CreditRecord',
        ),
    ]
