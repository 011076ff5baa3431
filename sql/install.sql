-- Installing the extension creates exactly the 1.1 SQL API. Names, argument and result types,
-- volatility, strictness and parallel safety are an interface other tools rely on.
CREATE EXTENSION snowflake;

SELECT extversion FROM pg_extension WHERE extname = 'snowflake';

SELECT p.proname, pg_get_function_identity_arguments(p.oid) AS arguments,
       pg_get_function_result(p.oid) AS result,
       p.provolatile AS volatility, p.proisstrict AS strict, p.proparallel AS parallel
FROM pg_proc AS p
JOIN pg_depend AS d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
JOIN pg_extension AS e ON d.refclassid = 'pg_extension'::regclass AND d.refobjid = e.oid
WHERE e.extname = 'snowflake'
ORDER BY p.proname, arguments;

SELECT c.relname, c.relkind FROM pg_class AS c
JOIN pg_depend AS d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid
JOIN pg_extension AS e ON d.refclassid = 'pg_extension'::regclass AND d.refobjid = e.oid
WHERE e.extname = 'snowflake'
ORDER BY c.relname;

-- The other members: the snowflake type, its casts, operators and operator classes.
SELECT pg_describe_object(d.classid, d.objid, d.objsubid) AS member
FROM pg_depend AS d
JOIN pg_extension AS e ON d.refclassid = 'pg_extension'::regclass AND d.refobjid = e.oid
WHERE e.extname = 'snowflake' AND d.deptype = 'e'
  AND d.classid NOT IN ('pg_proc'::regclass, 'pg_class'::regclass)
  -- PostgreSQL 17 also records array types and the view's row type as members.
  AND NOT EXISTS (SELECT FROM pg_type AS t
                  WHERE d.classid = 'pg_type'::regclass AND t.oid = d.objid
                    AND (t.typcategory = 'A' OR t.typrelid <> 0))
ORDER BY 1;

-- Every setting, with its unit, context and bounds.
SELECT name, setting, unit, context, vartype, min_val, max_val
FROM pg_settings WHERE name LIKE 'snowflake.%' ORDER BY name;
