from django.db import migrations, models

# The scopes of the standard catalogue (partnerships.seed.CATALOGUE) for the items already
# made from it, so a pledge taken from them carries its scopes.
SEEDED_SCOPES = {
    "Reducér udledningen fra scope 1 og 2 med 50 % i 2030": [1, 2],
    "100 % vedvarende el senest 2027": [2],
    "Emissionsfri personbilsflåde i 2030": [1],
    "Plan for grøn pendling": [3],
    "Reducér udledningen fra husdyr og marker med 30 % i 2030": [1],
    "Halvér restaffaldet i 2030": [3],
    "Klimakrav i alle større indkøb": [3],
}


def fill_seeded_scopes(apps, schema_editor):
    CatalogueItem = apps.get_model("partnerships", "CatalogueItem")
    for title, scopes in SEEDED_SCOPES.items():
        CatalogueItem.objects.filter(title=title, scopes=[]).update(scopes=scopes)


class Migration(migrations.Migration):
    dependencies = [
        ("partnerships", "0004_signing_time"),
    ]

    operations = [
        migrations.AddField(
            model_name="catalogueitem",
            name="scopes",
            field=models.JSONField(blank=True, default=list, verbose_name="scopes"),
        ),
        migrations.RunPython(fill_seeded_scopes, migrations.RunPython.noop),
    ]
