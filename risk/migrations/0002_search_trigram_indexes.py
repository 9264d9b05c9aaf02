from django.db import migrations

from core.search_indexes import trigram_index


class Migration(migrations.Migration):

    dependencies = [
        ("risk", "0001_initial"),
    ]

    operations = [
        # RiskPointFilter.filter_q: name / location contains (col::text LIKE '%…%').
        trigram_index("risk_riskpoint", "riskpoint_name_trgm", '("name"::text)'),
        trigram_index("risk_riskpoint", "riskpoint_location_trgm", '("location"::text)'),
    ]
