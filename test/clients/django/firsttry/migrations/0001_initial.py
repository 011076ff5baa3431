from django.contrib.postgres.operations import CreateExtension
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        CreateExtension("snowflake"),
        migrations.CreateModel(
            name="Order",
            fields=[
                ("id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("item", models.TextField()),
            ],
        ),
        migrations.RunSQL(
            "ALTER TABLE firsttry_order ALTER COLUMN id SET DEFAULT snowflake_nextval()"),
    ]
