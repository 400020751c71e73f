from django.db import migrations, models

from klimaalliance.search import search_key

SEARCHED_FIELDS = ("legal_name", "display_name", "description", "description_en", "city")


def fill_search_text(apps, schema_editor):
    Company = apps.get_model("companies", "Company")
    companies = list(Company.objects.only("pk", *SEARCHED_FIELDS))
    for company in companies:
        company.search_text = search_key(*(getattr(company, f) for f in SEARCHED_FIELDS))
    Company.objects.bulk_update(companies, ["search_text"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("companies", "0005_private_storage"),
    ]

    operations = [
        migrations.AddField(
            model_name="company",
            name="search_text",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.RunPython(fill_search_text, migrations.RunPython.noop),
    ]
