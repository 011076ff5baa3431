from django.db import models


class SnowflakeAutoField(models.BigAutoField):
    def db_type(self, connection):
        return "bigint DEFAULT snowflake_nextval()"

    def db_type_suffix(self, connection):
        return None  # no identity clause (Django 4.1 and later add one to auto fields)
