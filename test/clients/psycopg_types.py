# What psycopg 3 (Debian's python3-psycopg) returns for a bigint id and a snowflake id, and
# that the Python ints it sends as parameters (smallint, integer or bigint, by size) compare
# with a snowflake column. Run by test/clients/run.sh; connects with the PG* variables.
import json
import psycopg

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
print("1 passed, 0 failed")
