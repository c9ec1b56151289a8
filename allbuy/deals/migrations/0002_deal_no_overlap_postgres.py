"""On PostgreSQL, let the database itself refuse two deals on one variant whose windows overlap.

An exclusion constraint over (variant_id, tstzrange(starts_at, ends_at, '[)')) closes the race between two
concurrent saves that both passed Deal.clean(). It needs btree_gist (for `variant_id WITH =` in a GiST
index), a trusted extension since PostgreSQL 13. Other databases rely on the service's locked check.
The constraint is not part of Django's model state, so makemigrations never sees it.
"""

from django.db import migrations

CONSTRAINT = "deal_no_overlap_per_variant"


def add_constraint(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    schema_editor.execute(
        f"ALTER TABLE deals_deal ADD CONSTRAINT {CONSTRAINT} "
        "EXCLUDE USING gist (variant_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)"
    )


def drop_constraint(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE deals_deal DROP CONSTRAINT IF EXISTS {CONSTRAINT}")


class Migration(migrations.Migration):
    dependencies = [("deals", "0001_initial")]

    operations = [migrations.RunPython(add_constraint, drop_constraint, elidable=False)]
