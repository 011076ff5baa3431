-- Every comparison operator of the snowflake type answers as bigint's does (issue 18: one mapped
-- to the wrong function passed every other test, since an index scan commutes it). Checked two
-- ways: by value, each operator on values below, equal to and above each other, against plain
-- bigint's operator, with the operator evaluated as written; and in the catalog, each operator
-- against the built-in operator it stands for, the one with bigint in place of snowflake.

-- Values that fit every integer type, and larger ones for the types that hold them.
CREATE TABLE operand_values (v bigint);
INSERT INTO operand_values
VALUES (0), (1), (2), (99), (100), (101), (32766), (32767), (2147483647),
       (1541815603606036479), (1541815603606036480), (1541815603606036481),
       (9223372036854775807);
-- The largest value of each type.
CREATE TABLE type_limits (type regtype, largest bigint);
INSERT INTO type_limits VALUES ('snowflake', 9223372036854775807), ('bigint', 9223372036854775807),
                               ('integer', 2147483647), ('smallint', 32767);

-- The operators with a snowflake operand.
CREATE TABLE snowflake_operators AS
SELECT o.oid::regoperator AS operator, o.oprname, o.oprleft::regtype AS lefttype,
       o.oprright::regtype AS righttype
FROM pg_operator AS o WHERE 'snowflake'::regtype IN (o.oprleft, o.oprright);
SELECT count(*) AS operators, count(DISTINCT oprname) AS names,
       count(DISTINCT (lefttype, righttype)) AS type_pairs
FROM snowflake_operators;

-- By value: for each operator and each pair of values its types hold, the operator's answer and
-- bigint's differ in no case. A sequential scan with the operator in its filter, as written.
CREATE FUNCTION answers_unlike_bigint(op snowflake_operators, OUT cases bigint, OUT unlike bigint)
LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('SELECT count(*), count(*) FILTER (WHERE (l.v::%1$s %3$s r.v::%2$s)'
                 '  IS DISTINCT FROM (l.v %3$s r.v))'
                 ' FROM operand_values AS l, operand_values AS r'
                 ' WHERE l.v <= (SELECT largest FROM type_limits WHERE type = %1$L::regtype)'
                 '   AND r.v <= (SELECT largest FROM type_limits WHERE type = %2$L::regtype)',
                 op.lefttype, op.righttype, op.oprname)
  INTO cases, unlike;
END $$;
SET enable_indexscan = off;
SET enable_bitmapscan = off;
SELECT count(*) AS operators, sum(a.cases) AS cases, sum(a.unlike) AS unlike_bigint,
       string_agg(o.operator::text, ' ') FILTER (WHERE a.unlike > 0) AS operators_unlike_bigint
FROM snowflake_operators AS o, answers_unlike_bigint(o) AS a;
RESET enable_indexscan;
RESET enable_bitmapscan;
-- The issue's example, over an indexed table read sequentially: 3 < id for 7 of the ids 1 to 10.
CREATE TABLE one_to_ten (id snowflake PRIMARY KEY);
INSERT INTO one_to_ten SELECT g FROM generate_series(1, 10) AS g;
SET enable_indexscan = off;
SET enable_bitmapscan = off;
SELECT (SELECT count(*) FROM one_to_ten WHERE 3::bigint < id) AS bigint_lt,
       (SELECT count(*) FROM one_to_ten WHERE 3 < id) AS integer_lt,
       (SELECT count(*) FROM one_to_ten WHERE 3::smallint < id) AS smallint_lt,
       (SELECT count(*) FROM one_to_ten WHERE '3'::snowflake < id) AS snowflake_lt;
RESET enable_indexscan;
RESET enable_bitmapscan;

-- In the catalog: each operator against its counterpart, the built-in operator with bigint in
-- place of snowflake. It calls the same built-in function; its commutator is the
-- counterpart's commutator's name with its own operands swapped, its negator the counterpart's
-- negator's name with its own operands; it has the same selectivity estimators and B-tree
-- strategy, and is in the hash family where its counterpart is in one. Every difference is
-- listed: none.
CREATE FUNCTION as_bigint(type regtype) RETURNS regtype LANGUAGE sql IMMUTABLE
RETURN CASE type WHEN 'snowflake'::regtype THEN 'bigint'::regtype ELSE type END;
CREATE TABLE counterparts AS
SELECT o.oid::regoperator AS operator, b.oid::regoperator AS counterpart
FROM pg_operator AS o
JOIN pg_operator AS b ON b.oprname = o.oprname AND b.oprleft = as_bigint(o.oprleft)
                     AND b.oprright = as_bigint(o.oprright)
WHERE 'snowflake'::regtype IN (o.oprleft, o.oprright);
SELECT count(*) AS operators_with_a_counterpart FROM counterparts;
-- The B-tree or hash strategy of an operator in the family of that method holding snowflake's
-- or integer's operators.
CREATE FUNCTION strategy_in(operator regoperator, method text, family name) RETURNS smallint
LANGUAGE sql STABLE
RETURN (SELECT a.amopstrategy FROM pg_amop AS a
        JOIN pg_opfamily AS f ON f.oid = a.amopfamily AND f.opfname = family
        JOIN pg_am AS m ON m.oid = f.opfmethod AND m.amname = method
        WHERE a.amopopr = operator);
SELECT c.operator, problem
FROM counterparts AS c
JOIN pg_operator AS o ON o.oid = c.operator
JOIN pg_operator AS b ON b.oid = c.counterpart
JOIN pg_proc AS code ON code.oid = o.oprcode
JOIN pg_proc AS counterpart_code ON counterpart_code.oid = b.oprcode
LEFT JOIN pg_operator AS com ON com.oid = o.oprcom
LEFT JOIN pg_operator AS counterpart_com ON counterpart_com.oid = b.oprcom
LEFT JOIN pg_operator AS neg ON neg.oid = o.oprnegate
LEFT JOIN pg_operator AS counterpart_neg ON counterpart_neg.oid = b.oprnegate,
LATERAL (VALUES
  (CASE WHEN (code.prolang, code.prosrc)
             IS DISTINCT FROM (counterpart_code.prolang, counterpart_code.prosrc)
        THEN format('calls %s, not %s', code.prosrc, counterpart_code.prosrc) END),
  (CASE WHEN (com.oprname, com.oprleft, com.oprright)
             IS DISTINCT FROM (counterpart_com.oprname, o.oprright, o.oprleft)
        THEN format('commutator %s', o.oprcom::regoperator) END),
  (CASE WHEN (neg.oprname, neg.oprleft, neg.oprright)
             IS DISTINCT FROM (counterpart_neg.oprname, o.oprleft, o.oprright)
        THEN format('negator %s', o.oprnegate::regoperator) END),
  (CASE WHEN (o.oprrest, o.oprjoin) IS DISTINCT FROM (b.oprrest, b.oprjoin)
        THEN format('estimators %s, %s', o.oprrest, o.oprjoin) END),
  (CASE WHEN strategy_in(c.operator, 'btree', 'snowflake_ops')
             IS DISTINCT FROM strategy_in(c.counterpart, 'btree', 'integer_ops')
        THEN format('B-tree strategy %s', strategy_in(c.operator, 'btree', 'snowflake_ops')) END),
  (CASE WHEN strategy_in(c.operator, 'hash', 'snowflake_hash_ops')
             IS DISTINCT FROM strategy_in(c.counterpart, 'hash', 'integer_ops')
        THEN format('hash strategy %s', strategy_in(c.operator, 'hash', 'snowflake_hash_ops'))
        END)) AS checks(problem)
WHERE problem IS NOT NULL
ORDER BY 1, 2;
-- Likewise each B-tree comparison function of the family: the one integer_ops has for the
-- same types with bigint in place of snowflake.
SELECT count(*) AS btree_support_functions,
       count(*) FILTER (WHERE (p.prolang, p.prosrc) IS DISTINCT FROM (ip.prolang, ip.prosrc))
         AS unlike_integer_ops
FROM pg_amproc AS a
JOIN pg_opfamily AS f ON f.oid = a.amprocfamily AND f.opfname = 'snowflake_ops'
JOIN pg_am AS m ON m.oid = f.opfmethod AND m.amname = 'btree'
JOIN pg_proc AS p ON p.oid = a.amproc
LEFT JOIN (pg_amproc AS i
           JOIN pg_opfamily AS fi ON fi.oid = i.amprocfamily AND fi.opfname = 'integer_ops'
           JOIN pg_am AS mi ON mi.oid = fi.opfmethod AND mi.amname = 'btree'
           JOIN pg_proc AS ip ON ip.oid = i.amproc)
  ON i.amprocnum = a.amprocnum AND i.amproclefttype = as_bigint(a.amproclefttype)
 AND i.amprocrighttype = as_bigint(a.amprocrighttype)
WHERE a.amprocnum = 1;

DROP FUNCTION answers_unlike_bigint(snowflake_operators), as_bigint(regtype),
              strategy_in(regoperator, text, name);
DROP TABLE operand_values, type_limits, snowflake_operators, one_to_ten, counterparts;
