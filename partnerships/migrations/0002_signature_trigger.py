"""On PostgreSQL a trigger refuses UPDATE and DELETE of signature rows, so even raw SQL or a
bug outside the ORM cannot alter the legal record."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION partnerships_signature_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'signatures are immutable (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER partnerships_signature_immutable
    BEFORE UPDATE OR DELETE ON partnerships_signature
    FOR EACH ROW EXECUTE FUNCTION partnerships_signature_immutable();
"""
DROP = """
DROP TRIGGER IF EXISTS partnerships_signature_immutable ON partnerships_signature;
DROP FUNCTION IF EXISTS partnerships_signature_immutable();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("partnerships", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
