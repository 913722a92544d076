from django.db import migrations, models


def forget_documents(apps, schema_editor):
    # Documents written before the stream was kept: the next refresh (rebuild_index,
    # compute_overlaps) writes them again, with their streams.
    apps.get_model("search", "ReuseDocument").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0004_postgres_terms_in_the_index_only"),
    ]

    operations = [
        migrations.AddField(
            model_name="reusedocument",
            name="chars",
            field=models.TextField(default=""),
        ),
        migrations.RunPython(forget_documents, migrations.RunPython.noop, elidable=True),
    ]
