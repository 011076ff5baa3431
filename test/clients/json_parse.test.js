// node-postgres (npm package `pg`) against the snowflake type, as issue 12 found the problem:
// node-postgres parses a json column with JSON.parse, which turns every number into a double,
// so `SELECT json_agg(t) FROM t` changes ids above 2^53 when they are bigints, and keeps them
// exact when they are snowflakes. Also records what a plain `SELECT id` returns for each type.
// Run by test/clients/run.sh with node's test runner; connects with the PG* variables.
'use strict';
const test = require('node:test');
const assert = require('node:assert');
const { Client } = require('pg');

const ROWS = 300;

// A table of `type` ids from snowflake_nextval(), the exact ids as text and json_agg's parse.
async function idsThroughJson(client, type) {
  const table = `ids_${type}`;
  await client.query(`CREATE TEMP TABLE ${table} (id ${type} PRIMARY KEY DEFAULT snowflake_nextval(), n int)`);
  await client.query(`INSERT INTO ${table} (n) SELECT g FROM generate_series(1, ${ROWS}) AS g`);
  const exact = await client.query(`SELECT id::text AS id, n FROM ${table} ORDER BY n`);
  const agg = await client.query(`SELECT json_agg(t ORDER BY n) AS doc FROM ${table} AS t`);
  const plain = await client.query(`SELECT id FROM ${table} ORDER BY n LIMIT 1`);
  return { table, exact: exact.rows, parsed: agg.rows[0].doc, plain: plain.rows[0].id };
}

test('JSON.parse of json_agg keeps snowflake ids and corrupts bigint ones', async (t) => {
  const client = new Client();
  await client.connect();
  t.after(() => client.end());

  const big = await idsThroughJson(client, 'bigint');
  const changed = big.parsed.filter((row, i) => String(row.id) !== big.exact[i].id);
  const distinct = new Set(big.parsed.map((row) => row.id));
  console.log(`bigint: JSON.parse changed ${changed.length} of ${ROWS} ids; ` +
              `${distinct.size} distinct values remain`);
  assert.ok(changed.length > ROWS / 2, 'most bigint ids should be rounded');
  assert.strictEqual(typeof big.parsed[0].id, 'number');
  // A rounded id finds another row, or none.
  const lookup = await client.query(`SELECT n FROM ${big.table} WHERE id = $1`,
                                    [String(changed[0].id)]);
  assert.notDeepStrictEqual(lookup.rows.map((r) => r.n), [changed[0].n]);

  const flake = await idsThroughJson(client, 'snowflake');
  assert.strictEqual(typeof flake.parsed[0].id, 'string');
  assert.deepStrictEqual(flake.parsed.map((row) => row.id), flake.exact.map((row) => row.id));
  console.log(`snowflake: JSON.parse kept all ${ROWS} ids exact, as strings`);
  // A parsed id finds its own row, passed as a query parameter.
  const found = await client.query(`SELECT n FROM ${flake.table} WHERE id = $1`,
                                   [flake.parsed[7].id]);
  assert.deepStrictEqual(found.rows, [{ n: flake.parsed[7].n }]);

  // Without json: node-postgres returns a bigint column as a string (it has no int8 parser by
  // default) and a snowflake column, whose type it does not know, as its text: a string too.
  console.log(`SELECT id: bigint gives ${typeof big.plain}, snowflake gives ${typeof flake.plain}`);
  assert.strictEqual(typeof big.plain, 'string');
  assert.strictEqual(typeof flake.plain, 'string');
});

test('INSERT ... RETURNING id gives the new id as an exact string', async (t) => {
  const client = new Client();
  await client.connect();
  t.after(() => client.end());

  await client.query(`CREATE TEMP TABLE orders (
    id bigint PRIMARY KEY DEFAULT snowflake_nextval(), item text NOT NULL)`);
  const { rows } = await client.query(
    'INSERT INTO orders (item) VALUES ($1), ($2) RETURNING id', ['coffee', 'bagel']);
  const decoded = await client.query(
    'SELECT id::text, (snowflake_decode(id)).worker_id FROM orders ORDER BY id');
  console.log(`INSERT ... RETURNING id: ${rows.map((r) => `${r.id} (${typeof r.id})`).join(', ')}`);
  assert.deepStrictEqual(rows.map((r) => typeof r.id), ['string', 'string']);
  assert.deepStrictEqual(rows.map((r) => r.id), decoded.rows.map((r) => r.id));
  assert.strictEqual(decoded.rows[0].worker_id, 1);
  // BigInt reads the string exactly, for arithmetic or comparison in JavaScript.
  assert.ok(BigInt(rows[1].id) > BigInt(rows[0].id));
});
