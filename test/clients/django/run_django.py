# Django (Debian's python3-django, with psycopg2) with snowflake ids, as in docs/orms-and-drivers.md:
# the first try (app firsttry: BigIntegerField(primary_key=True) and a default
# set by the migration) fails with `null value in column "id"`; the BigAutoField subclass of
# app shop, with CreateExtension in its migration, works, foreign keys included. Run by
# test/clients/run.sh from this directory; connects with the PG* variables.
import os
import sys

import django
from django.conf import settings
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
settings.configure(
    INSTALLED_APPS=["firsttry", "shop"],
    DATABASES={"default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": os.environ["PGDATABASE"], "USER": os.environ["PGUSER"],
        "HOST": os.environ["PGHOST"], "PORT": os.environ["PGPORT"],
    }},
    USE_TZ=True,
)
django.setup()
call_command("migrate", verbosity=0)

from firsttry.models import Order as FirstTryOrder  # noqa: E402 (needs django.setup())
from shop.models import Order, OrderLine  # noqa: E402

try:
    with transaction.atomic():
        FirstTryOrder.objects.create(item="coffee")
    raise AssertionError("the first try should fail")
except IntegrityError as error:
    message = str(error).splitlines()[0]
    print(f"Django {django.get_version()}, first try: {message}")
    assert 'null value in column "id"' in message

order = Order.objects.create(item="coffee")
line = OrderLine.objects.create(order=order, qty=2)
with connection.cursor() as cursor:
    cursor.execute("SELECT (snowflake_decode(%s)).worker_id", [order.id])
    worker = cursor.fetchone()[0]
    cursor.execute("SELECT data_type FROM information_schema.columns "
                   "WHERE table_name = 'shop_orderline' AND column_name = 'order_id'")
    fk_type = cursor.fetchone()[0]
print(f"Django, SnowflakeAutoField: order id {order.id} ({type(order.id).__name__}), "
      f"line id {line.id}, worker {worker}, foreign key column {fk_type}")
assert isinstance(order.id, int) and order.id > 2**53 and line.id > order.id
assert worker == 1 and fk_type == "bigint"
assert OrderLine.objects.select_related("order").get(pk=line.id).order.item == "coffee"
print("1 passed, 0 failed")
