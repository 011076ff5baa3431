// The lease worker: a background process that renews the lease ahead of demand and keeps its
// durable copies whole (lease.h), on the schedule of core/lease_policy.h.
#pragma once

namespace snowflake::pg {

// Preloading only: registers the worker.
void register_lease_worker();

}  // namespace snowflake::pg
