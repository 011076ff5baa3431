// What the PostgreSQL JDBC driver (Debian's libpostgresql-jdbc-java) returns for a bigint id and
// a snowflake id, and which parameter setters compare with a snowflake column. Run by
// test/clients/run.sh as a single-file program: java JdbcTypes.java URL (the driver on the
// class path). Prints "1 passed, 0 failed", or throws.
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

public class JdbcTypes {
  // Fails the run with a message when a driver behaviour differs from the README's account.
  static void check(boolean holds, String what) {
    if (!holds) throw new AssertionError(what);
  }

  // The number of rows of ids whose snowflake equals the parameter, set by `setter`.
  interface Setter { void set(PreparedStatement statement) throws SQLException; }

  static long count(Connection conn, String sql, Setter setter) throws SQLException {
    try (PreparedStatement statement = conn.prepareStatement(sql)) {
      setter.set(statement);
      try (ResultSet rows = statement.executeQuery()) {
        rows.next();
        return rows.getLong(1);
      }
    }
  }

  public static void main(String[] args) throws Exception {
    try (Connection conn = DriverManager.getConnection(args[0])) {
      try (Statement statement = conn.createStatement()) {
        statement.execute("CREATE TEMP TABLE ids (big bigint, flake snowflake)");
        statement.execute("INSERT INTO ids SELECT id, id FROM snowflake_nextval() AS id");
      }
      long big;
      try (Statement statement = conn.createStatement();
           ResultSet rows = statement.executeQuery("SELECT big, flake FROM ids")) {
        rows.next();
        Object bigObject = rows.getObject(1);
        Object flakeObject = rows.getObject(2);
        big = rows.getLong(1);
        System.out.println("JDBC " + conn.getMetaData().getDriverVersion() + ": getObject gives "
            + bigObject.getClass().getName() + " for bigint, " + flakeObject.getClass().getName()
            + " for snowflake; getLong and getString read both");
        check(bigObject instanceof Long, "bigint is a Long");
        check(flakeObject.toString().equals(Long.toString(big)), "snowflake's text is the id");
        check(rows.getLong(2) == big, "getLong reads a snowflake");
        check(rows.getString(2).equals(rows.getString(1)), "getString reads both alike");
      }
      final long id = big;
      String sql = "SELECT count(*) FROM ids WHERE flake = ?";
      check(count(conn, sql, s -> s.setLong(1, id)) == 1, "setLong compares");
      check(count(conn, sql, s -> s.setInt(1, 5)) == 0, "setInt compares");
      check(count(conn, "SELECT count(*) FROM ids WHERE flake = ?::snowflake",
                s -> s.setString(1, Long.toString(id))) == 1, "setString with a cast compares");
      try {
        count(conn, sql, s -> s.setString(1, Long.toString(id)));
        check(false, "setString without a cast is refused, as it is for bigint");
      } catch (SQLException e) {
        System.out.println("JDBC: setString needs ?::snowflake (" + e.getSQLState() + ")");
      }
    }
    System.out.println("1 passed, 0 failed");
  }
}
