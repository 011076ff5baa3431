-- snowflake 1.0 -> 1.1: `IN` lists and `= ANY`, `> ANY` and the like on a B-tree index of a
-- snowflake column. A fresh install of 1.1 runs snowflake--1.0.sql and then this script.

\echo Use "ALTER EXTENSION snowflake UPDATE TO '1.1'" to load this file. \quit

-- Before a B-tree scan starts, PostgreSQL reduces each array of an `= ANY` or `IN` condition
-- with comparisons between the array's own elements, looked up in the index's operator family
-- for the element type on both sides: `id = ANY ($1::bigint[])` needs the family's support
-- function 1 for (bigint, bigint) to sort the array and drop duplicates, `id > ANY (...)` its
-- operator 1 (<) of (bigint, bigint) to keep only the smallest element, and `id < ANY (...)`
-- its operator 5 (>) to keep the largest. Without them the scan stops with an internal error
-- ("missing support function 1(20,20)", "missing operator 1(20,20)"). An array may hold any
-- type the family compares a snowflake with; 1.0 has snowflake's own, so this adds int8's,
-- int4's and int2's comparison functions, and their own < and >.
--
-- Nothing else from bigint, integer or smallint goes in: each member added here is one that an
-- array form fails without (sql/comparison_forms.sql shows each). Their = operators stay out
-- above all: the planner merges equivalence classes only when their equality operators sit in
-- the same families, so `=(bigint, bigint)` in this family too would stop it from deducing
-- `b.x = 5` from `a.x = b.x AND a.x = 5` on bigint columns (bigint = bigint would then be in
-- two families, bigint = integer in one). The planner takes the order of a sort on bigint from
-- the B-tree family of smallest OID that holds bigint's < or >: the built-in integer_ops.
-- sql/bigint_plans.sql checks that plans on plain integer columns stay as they were.
ALTER OPERATOR FAMILY snowflake_ops USING btree ADD
  OPERATOR 1 pg_catalog.< (bigint, bigint),
  OPERATOR 5 pg_catalog.> (bigint, bigint),
  FUNCTION 1 (bigint, bigint) pg_catalog.btint8cmp(bigint, bigint),
  OPERATOR 1 pg_catalog.< (integer, integer),
  OPERATOR 5 pg_catalog.> (integer, integer),
  FUNCTION 1 (integer, integer) pg_catalog.btint4cmp(integer, integer),
  OPERATOR 1 pg_catalog.< (smallint, smallint),
  OPERATOR 5 pg_catalog.> (smallint, smallint),
  FUNCTION 1 (smallint, smallint) pg_catalog.btint2cmp(smallint, smallint);
