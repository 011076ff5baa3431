-- snowflake_observe(), the trigger for tables that receive rows by logical replication. Rows
-- applied by replication run with session_replication_role = replica; so do the rows here.
CREATE TABLE replicated_orders (id bigint PRIMARY KEY, other_id snowflake, item text);
CREATE TRIGGER observe_ids BEFORE INSERT OR UPDATE ON replicated_orders
  FOR EACH ROW EXECUTE FUNCTION snowflake_observe('id', 'other_id');
ALTER TABLE replicated_orders ENABLE ALWAYS TRIGGER observe_ids;

-- An id made by worker 7, 20 s ahead of this server's clock: the row lands, and this server's
-- next id is above it, although the clock is behind.
SELECT snowflake_from_timestamp(now() + interval '20 seconds') | (7 << 12) AS ahead_id \gset
SET session_replication_role = replica;
INSERT INTO replicated_orders VALUES (:ahead_id, NULL, 'from worker 7');
RESET session_replication_role;
SELECT snowflake_nextval() > :ahead_id AS next_id_above_replicated_one;

-- A replicated row whose id carries this server's own worker id (42): another server makes
-- ids with it, so the row is refused, and counted. (Its millisecond does not matter: one of
-- 2010.)
SELECT collisions AS collisions_before FROM snowflake_stats \gset
SELECT (1000::bigint << 22) | (42 << 12) AS own_id \gset
SET session_replication_role = replica;
INSERT INTO replicated_orders VALUES (:own_id + 1, NULL, 'same worker id');
INSERT INTO replicated_orders VALUES (2, :own_id, 'same worker id, second column');
UPDATE replicated_orders SET other_id = :own_id WHERE id = :ahead_id;
RESET session_replication_role;
SELECT collisions - :collisions_before AS collisions_counted FROM snowflake_stats;
SELECT count(*) AS rows_landed FROM replicated_orders;

-- The same id written here, not by replication, is this server's own: it lands.
INSERT INTO replicated_orders VALUES (:own_id, NULL, 'made here');
SELECT count(*) AS rows_landed FROM replicated_orders;

-- Misuse is refused with a clear message.
SELECT snowflake_observe();
CREATE TABLE wrong_column (id bigint);
CREATE TRIGGER observe_ids BEFORE INSERT ON wrong_column
  FOR EACH ROW EXECUTE FUNCTION snowflake_observe('order_id');
INSERT INTO wrong_column VALUES (1);
DROP TRIGGER observe_ids ON wrong_column;
CREATE TRIGGER observe_ids AFTER INSERT ON wrong_column
  FOR EACH ROW EXECUTE FUNCTION snowflake_observe();
INSERT INTO wrong_column VALUES (1);
DROP TABLE wrong_column;
CREATE TABLE text_ids (id text);
CREATE TRIGGER observe_ids BEFORE INSERT ON text_ids
  FOR EACH ROW EXECUTE FUNCTION snowflake_observe();
INSERT INTO text_ids VALUES ('1');
DROP TABLE text_ids;
DROP TABLE replicated_orders;
