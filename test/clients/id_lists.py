# Lists of ids as drivers and ORMs send them (issue 18): IN lists and = ANY arrays from psycopg 3
# (text and binary), psycopg2 and SQLAlchemy, against a snowflake primary key and a bigint one,
# each with enough rows that PostgreSQL reads the index. Every query returns exactly the rows
# asked for, and its plan (EXPLAIN of the very statement and parameters sent) uses the index.
# Run by test/clients/run.sh; connects with the PG* variables.
import psycopg
import psycopg2
import sqlalchemy
from sqlalchemy import BigInteger, Column, MetaData, Table, any_, bindparam, create_engine, event
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import ARRAY

TABLES = {"flake_orders": "snowflake", "bigint_orders": "bigint"}

with psycopg.connect(autocommit=True) as conn:
    big_ids = [row[0] for row in conn.execute("SELECT snowflake_nextval_batch(3)")]
    for table, column_type in TABLES.items():
        conn.execute(f"DROP TABLE IF EXISTS {table}")
        conn.execute(f"CREATE TABLE {table} (id {column_type} PRIMARY KEY, item text)")
        conn.execute(f"INSERT INTO {table} SELECT g, 'item' FROM generate_series(1, 100000) AS g")
        conn.execute(f"INSERT INTO {table} SELECT unnest(%s::bigint[]), 'new'", (big_ids,))
        conn.execute(f"ANALYZE {table}")

# Id lists whose elements drivers type as smallint, integer and bigint; each has a duplicate or
# an id that is not there (0).
ID_LISTS = {
    "smallint ids": [3, 1, 2, 3, 0],
    "integer ids": [70000, 99999, 0],
    "snowflake ids": [big_ids[2], big_ids[0], 0],
    "mixed ids": [1, big_ids[1], 70000],
}

checks = 0


# Checks the ids a query returned, and that the plan of what was sent reads the table's index.
def check(driver, form, table, name, returned, plan):
    global checks
    wanted = set(ID_LISTS[name]) - {0}
    assert sorted(returned) == sorted(wanted), (driver, form, table, name, returned)
    assert f"{table}_pkey" in plan, (driver, form, table, name, plan)
    checks += 1


# psycopg 3 sends a list as an array parameter of the smallest type holding every element, and
# cannot send a tuple for `IN %s`: its documentation says to use = ANY, or one placeholder per id.
for binary in (False, True):
    driver = f"psycopg {psycopg.__version__} ({'binary' if binary else 'text'})"
    with psycopg.connect() as conn:
        cur = conn.cursor(binary=binary)
        for table in TABLES:
            for name, ids in ID_LISTS.items():
                placeholders = ", ".join(["%s"] * len(ids))
                for form, condition, params in (
                        ("= ANY(%s)", "id = ANY(%s)", (ids,)),
                        ("IN (%s, ...)", f"id IN ({placeholders})", ids)):
                    query = f"SELECT id::bigint FROM {table} WHERE {condition}"
                    returned = [row[0] for row in cur.execute(query, params)]
                    plan = "\n".join(row[0] for row in cur.execute("EXPLAIN " + query, params))
                    check(driver, form, table, name, returned, plan)
        try:
            cur.execute("SELECT id FROM flake_orders WHERE id IN %s",
                        (tuple(ID_LISTS["mixed ids"]),))
            raise AssertionError("psycopg 3 sent a tuple for IN %s")
        except psycopg.errors.SyntaxError:
            conn.rollback()
    print(f"{driver}: = ANY(%s) with a list and IN (%s, ...) find the ids asked for")

# psycopg2 writes the parameters into the query: a tuple as (1, 2, 3), a list as ARRAY[1, 2, 3].
driver = f"psycopg2 {psycopg2.__version__.split()[0]}"
with psycopg2.connect("") as conn, conn.cursor() as cur:
    for table in TABLES:
        for name, ids in ID_LISTS.items():
            for form, condition, param in (("IN %s", "id IN %s", tuple(ids)),
                                           ("= ANY(%s)", "id = ANY(%s)", ids)):
                query = f"SELECT id::bigint FROM {table} WHERE {condition}"
                cur.execute(query, (param,))
                returned = [row[0] for row in cur.fetchall()]
                cur.execute("EXPLAIN " + query, (param,))
                plan = "\n".join(row[0] for row in cur.fetchall())
                check(driver, form, table, name, returned, plan)
print(f"{driver}: IN %s with a tuple and = ANY(%s) with a list find the ids asked for")

# SQLAlchemy (1.4, on psycopg2): .in_(ids) and == any_(ids). Each statement SQLAlchemy sends is
# captured and explained as sent.
driver = f"SQLAlchemy {sqlalchemy.__version__}"
engine = create_engine("postgresql+psycopg2://")  # host, port, user, database from PG*
sent = []


@event.listens_for(engine, "before_cursor_execute")
def capture(conn, cursor, statement, parameters, context, executemany):
    sent.append((statement, parameters))


metadata = MetaData()
with engine.connect() as conn:
    for table_name in TABLES:
        table = Table(table_name, metadata, Column("id", BigInteger, primary_key=True))
        for name, ids in ID_LISTS.items():
            for form, condition in (
                    (".in_(ids)", table.c.id.in_(ids)),
                    ("== any_(ids)", table.c.id == any_(bindparam("ids", ids, ARRAY(BigInteger))))):
                sent.clear()
                rows = conn.execute(select(table.c.id).where(condition)).scalars()
                returned = [int(id_) for id_ in rows]  # psycopg2 reads a snowflake as str
                statement, parameters = sent[0]
                cursor = conn.connection.cursor()
                cursor.execute("EXPLAIN " + statement, parameters)
                plan = "\n".join(row[0] for row in cursor.fetchall())
                check(driver, form, table_name, name, returned, plan)
print(f"{driver}: .in_(ids) and == any_(ids) find the ids asked for")

with psycopg.connect(autocommit=True) as conn:
    for table in TABLES:
        conn.execute(f"DROP TABLE {table}")
print(f"{checks} queries: every one found the ids asked for through the primary key's index")
print("1 passed, 0 failed")
