from django.contrib.postgres.operations import CreateExtension
from django.db import migrations, models

import shop.fields


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        CreateExtension("snowflake"),
        migrations.CreateModel(
            name="Order",
            fields=[
                ("id", shop.fields.SnowflakeAutoField(primary_key=True, serialize=False)),
                ("item", models.TextField()),
            ],
        ),
        migrations.CreateModel(
            name="OrderLine",
            fields=[
                ("id", shop.fields.SnowflakeAutoField(primary_key=True, serialize=False)),
                ("order", models.ForeignKey(on_delete=models.CASCADE, to="shop.order")),
                ("qty", models.IntegerField()),
            ],
        ),
    ]
