from django.db import migrations

from core.search_indexes import trigram_index


class Migration(migrations.Migration):

    dependencies = [
        ("hazards", "0006_supervision_circular"),
    ]

    operations = [
        # HazardFilter.filter_q: description / place icontains (UPPER(col::text) LIKE UPPER('%…%')).
        trigram_index("hazards_hazard", "hazard_desc_trgm", '(UPPER("description"::text))'),
        trigram_index("hazards_hazard", "hazard_place_trgm", '(UPPER("place"::text))'),
    ]
