// A libpq connection from the registry worker to the registry database, used the way
// postgres_fdw and dblink use libpq inside a server process: every wait is WaitLatchOrSocket on
// the connection's socket, so the worker leaves at postmaster death and, once the call ends,
// sees a reload, shutdown or caller that set its latch meanwhile; and every call ends by a
// deadline, so that a registry that stopped answering (a frozen proxy, a cut link) is given up
// on in time rather than waited for. Its file descriptor counts against the server's limit
// (AcquireExternalFD). A transport only: what is said over it is the registry's business
// (registry.h).
#pragma once

#include <cstdint>

struct pg_conn;

namespace snowflake::pg {

struct RegistryConnection {
  pg_conn* conn = nullptr;  // null while not connected
};

// Why a connection or call failed, for the registry worker's state and its callers' errors.
struct RegistryError {
  char text[256];
};

// The one row a registry call returns: each column as text, NULL as an empty string.
inline constexpr int kMaxRegistryColumns = 8;
struct RegistryRow {
  int columns;
  bool nulls[kMaxRegistryColumns];
  char values[kMaxRegistryColumns][256];
};

// Connects with conninfo, waiting at most until deadline_micros (monotonic clock). False with
// the reason in `error`; the connection is then closed.
bool registry_connect(RegistryConnection& connection, const char* conninfo,
                      std::int64_t deadline_micros, RegistryError& error);

// Runs one statement with text parameters that returns one row, and reads it into `row`. False
// on any failure, with the reason in `error`: the connection is then closed, since a call that
// timed out leaves it in an unknown state.
bool registry_call(RegistryConnection& connection, const char* sql, int parameter_count,
                   const char* const* parameters, std::int64_t deadline_micros, RegistryRow& row,
                   RegistryError& error);

// Closes the connection, if open, and gives its file descriptor back.
void registry_disconnect(RegistryConnection& connection);

}  // namespace snowflake::pg
