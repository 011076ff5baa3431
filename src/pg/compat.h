// What differs between the PostgreSQL versions snowflake supports (15 to 19), in one place.
// Include after the PostgreSQL headers.
#pragma once

// PostgreSQL 18 renamed the startup process's interrupt handler.
#if PG_VERSION_NUM >= 180000
#define HandleStartupProcInterrupts ProcessStartupProcInterrupts
#endif

// What the checkpointer last made of synchronous_standby_names, for every backend: a flag word
// since 15.13, 16.9, 17.5 and 18 (SYNC_STANDBY_INIT once it has looked at all), a bool before.
// Read under SyncRepLock.
#ifdef SYNC_STANDBY_DEFINED
#define SyncStandbysKnown(ctl) (((ctl)->sync_standbys_status & SYNC_STANDBY_INIT) != 0)
#define SyncStandbysDefinedShared(ctl) (((ctl)->sync_standbys_status & SYNC_STANDBY_DEFINED) != 0)
#else
#define SyncStandbysKnown(ctl) true
#define SyncStandbysDefinedShared(ctl) ((ctl)->sync_standbys_defined)
#endif
