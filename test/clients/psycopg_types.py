# What psycopg 3 (Debian's python3-psycopg) returns for a bigint id and a snowflake id, in text
# and in binary mode, what one loader registration changes, and that the Python ints it sends as
# parameters (smallint, integer or bigint, by size) compare with a snowflake column. Run by
# test/clients/run.sh; connects with the PG* variables.
import json
import psycopg
from psycopg.types import TypeInfo
from psycopg.types.numeric import Int8BinaryLoader, IntLoader

with psycopg.connect() as conn:
    conn.execute("CREATE TEMP TABLE ids (big bigint, flake snowflake)")
    conn.execute("INSERT INTO ids SELECT id, id FROM snowflake_nextval() AS id")
    big, flake, doc = conn.execute(
        "SELECT big, flake, json_agg(ids) FROM ids GROUP BY big, flake").fetchone()
    print(f"psycopg {psycopg.__version__}: bigint -> {type(big).__name__}, "
          f"snowflake -> {type(flake).__name__}, json_agg -> ids as "
          f"{type(doc[0]['big']).__name__} and {type(doc[0]['flake']).__name__}")
    assert isinstance(big, int) and isinstance(flake, str) and int(flake) == big
    # Python's json module reads integers exactly: bigint is safe here, snowflake a string.
    assert doc[0]["big"] == big and doc[0]["flake"] == flake
    assert json.loads(json.dumps(doc))[0]["big"] == big

    for param in (5, 70000, big, str(big)):
        count = conn.execute("SELECT count(*) FROM ids WHERE flake = %s OR flake < %s",
                             (param, param)).fetchone()[0]
        assert count == (1 if param in (big, str(big)) else 0), param
    conn.execute("INSERT INTO ids (flake) VALUES (%s), (%s)", (5, big))
    print("psycopg: int and str parameters compare with and insert into a snowflake column")

    # Binary mode: psycopg knows no loader for the type, so it returns the raw bytes of int8's
    # binary form.
    raw = conn.cursor(binary=True).execute(
        "SELECT flake FROM ids WHERE big = %s", (big,)).fetchone()[0]
    assert isinstance(raw, bytes) and int.from_bytes(raw, "big", signed=True) == big, raw
    # One registration per format gives Python ints, as for bigint.
    snowflake_oid = TypeInfo.fetch(conn, "snowflake").oid
    conn.adapters.register_loader(snowflake_oid, Int8BinaryLoader)
    conn.adapters.register_loader(snowflake_oid, IntLoader)
    for binary in (True, False):
        loaded = conn.cursor(binary=binary).execute(
            "SELECT flake FROM ids WHERE big = %s", (big,)).fetchone()[0]
        assert isinstance(loaded, int) and loaded == big, (binary, loaded)
    print("psycopg: binary mode returns a snowflake as bytes; registering int8's loaders gives int")
print("1 passed, 0 failed")
