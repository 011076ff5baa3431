// The lease: before the generator may issue ids for a millisecond, that millisecond must be
// durably recorded, so that after a restart or crash it resumes past every id it ever issued.
//
// The lease lives in two places. The file $PGDATA/snowflake.lease serves restarts and crashes
// of this server. A WAL record carries it to physical standbys, whose replay adopts it, so a
// promoted standby with the same worker id resumes past its old primary.
// Renewal writes both and waits for both to be durable before publishing the new lease end.
// Backups must include the file: leases from before a backup's start are not in the WAL it
// replays.
#pragma once

#include "core/layout.h"

#include <cstdint>

namespace snowflake::pg {

struct SharedGenerator;

// Server start (postmaster): resume after the lease in the file, if there is one.
void load_lease(SharedGenerator& shared, const Layout& layout);

// Makes a lease reaching kLeaseSpanMs past demand durable and publishes it, unless another
// caller already did. now_ms is the clock in ms since the layout's epoch.
void renew_lease(SharedGenerator& shared, const Layout& layout, std::int64_t now_ms);

// WAL replay: a server with this WAL may have issued ids up to lease_end_unix_ms.
void adopt_lease(SharedGenerator& shared, const Layout& layout, std::int64_t lease_end_unix_ms);

}  // namespace snowflake::pg
