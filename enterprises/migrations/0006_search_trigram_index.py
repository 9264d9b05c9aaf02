from django.db import migrations

from core.search_indexes import trigram_index


class Migration(migrations.Migration):

    dependencies = [
        ("enterprises", "0005_link_units_by_name"),
    ]

    operations = [
        # Enterprise.objects.search(): search_text LIKE '%…%' (name, pinyin and initials, lower case).
        trigram_index("enterprises_enterprise", "ent_search_trgm", '("search_text"::text)'),
    ]
