from django.db import models

from .fields import SnowflakeAutoField


class Order(models.Model):
    id = SnowflakeAutoField(primary_key=True)
    item = models.TextField()


class OrderLine(models.Model):
    id = SnowflakeAutoField(primary_key=True)
    order = models.ForeignKey(Order, on_delete=models.CASCADE)
    qty = models.IntegerField()
