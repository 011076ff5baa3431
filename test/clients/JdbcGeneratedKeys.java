// JDBC (Debian's libpostgresql-jdbc-java): the id snowflake_nextval() made for an INSERT, read
// back with getGeneratedKeys, as in docs/orms-and-drivers.md. Run by test/clients/run.sh
// as a single-file program: java JdbcGeneratedKeys.java URL (the driver on the class path).
// Prints "1 passed, 0 failed", or throws.
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;

public class JdbcGeneratedKeys {
  public static void main(String[] args) throws Exception {
    try (Connection conn = DriverManager.getConnection(args[0])) {
      try (Statement statement = conn.createStatement()) {
        statement.execute("CREATE TEMP TABLE orders ("
            + "id bigint PRIMARY KEY DEFAULT snowflake_nextval(), item text NOT NULL)");
      }
      long[] ids = new long[2];
      try (PreparedStatement insert = conn.prepareStatement(
               "INSERT INTO orders (item) VALUES (?)", new String[] {"id"})) {
        for (int i = 0; i < ids.length; i++) {
          insert.setString(1, "item " + i);
          insert.executeUpdate();
          try (ResultSet keys = insert.getGeneratedKeys()) {
            keys.next();
            ids[i] = keys.getLong("id");
          }
        }
      }
      try (Statement statement = conn.createStatement();
           ResultSet rows = statement.executeQuery("SELECT max(id), "
               + "(snowflake_decode(max(id))).worker_id FROM orders")) {
        rows.next();
        System.out.println("JDBC getGeneratedKeys: ids " + ids[0] + " and " + ids[1]
            + " (long), worker " + rows.getInt(2));
        if (!(ids[1] > ids[0] && ids[0] > (1L << 53) && rows.getLong(1) == ids[1]
                && rows.getInt(2) == 1)) {
          throw new AssertionError("getGeneratedKeys did not return the ids inserted");
        }
      }
    }
    System.out.println("1 passed, 0 failed");
  }
}
