# A newcomer's first try: a bigint primary key, its default set by the migration. Django sends
# the missing id as NULL, so the INSERT fails (see run_django.py).
from django.db import models


class Order(models.Model):
    id = models.BigIntegerField(primary_key=True)
    item = models.TextField()
