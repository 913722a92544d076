from django.db import migrations, models

TABLE = "search_reusefingerprint"


def forget_fingerprints(apps, schema_editor):
    # Written again by the next refresh (rebuild_index, compute_overlaps), hashed as now.
    apps.get_model("search", "ReuseFingerprint").objects.all().delete()
    apps.get_model("search", "ReuseDocument").objects.all().delete()


def without_rowid(apps, schema_editor):
    # On SQLite a table with a composite primary key is stored twice: the rows and the key's
    # index. WITHOUT ROWID, the table is the index.
    if schema_editor.connection.vendor != "sqlite":
        return
    for statement in (
        f"CREATE TABLE {TABLE}_new (hash bigint NOT NULL, article_id bigint NOT NULL,"
        " PRIMARY KEY (hash, article_id)) WITHOUT ROWID",
        f"INSERT INTO {TABLE}_new SELECT hash, article_id FROM {TABLE}",
        f"DROP TABLE {TABLE}",
        f"ALTER TABLE {TABLE}_new RENAME TO {TABLE}",
    ):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0005_reusedocument_chars"),
    ]

    operations = [
        migrations.RunPython(forget_fingerprints, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="reusefingerprint",
            name="article_id",
            field=models.BigIntegerField(),
        ),
        migrations.RunPython(without_rowid, migrations.RunPython.noop, elidable=False),
    ]
