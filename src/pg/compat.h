// What differs between the PostgreSQL versions snowflake supports (15 to 19), in one place.
// Include after the PostgreSQL headers.
#pragma once

// PostgreSQL 18 renamed the startup process's interrupt handler.
#if PG_VERSION_NUM >= 180000
#define HandleStartupProcInterrupts ProcessStartupProcInterrupts
#endif
