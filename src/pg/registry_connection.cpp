#include "pg/registry_connection.h"

#include "core/clock.h"

#include <cstring>

extern "C" {
#include "postgres.h"

#include "libpq-fe.h"
#include "miscadmin.h"
#include "storage/fd.h"
#include "storage/latch.h"
#include "utils/wait_event.h"
}

namespace snowflake::pg {
namespace {

// Copies libpq's message (or `fallback`) into `error`, without its trailing newline.
bool fail(RegistryConnection& connection, RegistryError& error, const char* fallback) {
  const char* message = connection.conn != nullptr ? PQerrorMessage(connection.conn) : "";
  strlcpy(error.text, message[0] != '\0' ? message : fallback, sizeof(error.text));
  const std::size_t length = std::strlen(error.text);
  if (length > 0 && error.text[length - 1] == '\n') error.text[length - 1] = '\0';
  registry_disconnect(connection);
  return false;
}

// Waits until the socket is ready for `socket_event` or the deadline passes: false then. What
// set the latch meanwhile (a shutdown, a reload, a caller asking for a renewal) is for the
// worker's loop, so the latch is set again on the way out.
bool wait_for_socket(RegistryConnection& connection, int socket_event,
                     std::int64_t deadline_micros) {
  bool latch_was_set = false;
  bool ready = false;
  for (;;) {
    const std::int64_t left_micros = deadline_micros - monotonic_micros();
    if (left_micros <= 0) break;
    const int events =
        WaitLatchOrSocket(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH | socket_event,
                          PQsocket(connection.conn), (left_micros + 999) / 1000, PG_WAIT_CLIENT);
    if (events & WL_LATCH_SET) {
      ResetLatch(MyLatch);
      latch_was_set = true;
    }
    if (events & socket_event) {
      ready = true;
      break;
    }
  }
  if (latch_was_set) SetLatch(MyLatch);
  return ready;
}

}  // namespace

bool registry_connect(RegistryConnection& connection, const char* conninfo,
                      std::int64_t deadline_micros, RegistryError& error) {
  registry_disconnect(connection);
  if (!AcquireExternalFD()) {
    strlcpy(error.text, "there are too many open files on this server", sizeof(error.text));
    return false;
  }
  connection.conn = PQconnectStart(conninfo);
  if (connection.conn == nullptr) {
    ReleaseExternalFD();
    strlcpy(error.text, "out of memory", sizeof(error.text));
    return false;
  }
  if (PQstatus(connection.conn) == CONNECTION_BAD)
    return fail(connection, error, "could not connect");
  // Per PQconnectPoll's protocol: first wait until the socket is writable.
  PostgresPollingStatusType status = PGRES_POLLING_WRITING;
  while (status != PGRES_POLLING_OK) {
    if (status == PGRES_POLLING_FAILED) return fail(connection, error, "could not connect");
    const int event = status == PGRES_POLLING_READING ? WL_SOCKET_READABLE : WL_SOCKET_WRITEABLE;
    if (!wait_for_socket(connection, event, deadline_micros))
      return fail(connection, error, "timed out connecting");
    status = PQconnectPoll(connection.conn);
  }
  if (PQsetnonblocking(connection.conn, 1) != 0)
    return fail(connection, error, "could not make the connection non-blocking");
  return true;
}

bool registry_call(RegistryConnection& connection, const char* sql, int parameter_count,
                   const char* const* parameters, std::int64_t deadline_micros, RegistryRow& row,
                   RegistryError& error) {
  if (connection.conn == nullptr) {
    strlcpy(error.text, "not connected", sizeof(error.text));
    return false;
  }
  if (!PQsendQueryParams(connection.conn, sql, parameter_count, nullptr, parameters, nullptr,
                         nullptr, 0))
    return fail(connection, error, "could not send the query");
  // Non-blocking: push the query out, then read until the result is complete.
  for (int flushed = PQflush(connection.conn); flushed != 0; flushed = PQflush(connection.conn)) {
    if (flushed < 0 || !wait_for_socket(connection, WL_SOCKET_WRITEABLE, deadline_micros))
      return fail(connection, error, "timed out sending the query");
  }
  bool have_row = false;
  for (;;) {
    while (PQisBusy(connection.conn)) {
      if (!wait_for_socket(connection, WL_SOCKET_READABLE, deadline_micros))
        return fail(connection, error, "timed out waiting for the registry's answer");
      if (PQconsumeInput(connection.conn) == 0) return fail(connection, error, "connection lost");
    }
    PGresult* result = PQgetResult(connection.conn);
    if (result == nullptr) break;
    const bool tuples = PQresultStatus(result) == PGRES_TUPLES_OK;
    if (!tuples || PQntuples(result) != 1 || PQnfields(result) > kMaxRegistryColumns) {
      strlcpy(error.text,
              tuples ? "the registry answered with an unexpected result"
              : PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) != nullptr
                  ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY)
                  : PQresStatus(PQresultStatus(result)),
              sizeof(error.text));
      PQclear(result);
      registry_disconnect(connection);
      return false;
    }
    row.columns = PQnfields(result);
    for (int column = 0; column < row.columns; ++column) {
      row.nulls[column] = PQgetisnull(result, 0, column) != 0;
      strlcpy(row.values[column], PQgetvalue(result, 0, column), sizeof(row.values[column]));
    }
    have_row = true;
    PQclear(result);
  }
  if (!have_row) {
    strlcpy(error.text, "the registry returned no result", sizeof(error.text));
    registry_disconnect(connection);
  }
  return have_row;
}

void registry_disconnect(RegistryConnection& connection) {
  if (connection.conn == nullptr) return;
  PQfinish(connection.conn);
  ReleaseExternalFD();
  connection.conn = nullptr;
}

}  // namespace snowflake::pg
