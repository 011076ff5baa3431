// Shared memory set-up, the pg_stat_statements way: ask for space in shmem_request_hook, create
// it under AddinShmemInitLock in shmem_startup_hook, and initialise only when it did not exist
// yet.
#include "pg/shared.h"

#include "pg/errors.h"
#include "pg/lease.h"
#include "pg/registry.h"
#include "pg/settings.h"

#include <new>

extern "C" {
#include "postgres.h"

#include "miscadmin.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
}

namespace snowflake::pg {
namespace {

constexpr const char* kShmemName = "snowflake";

SharedGenerator* shared = nullptr;

shmem_request_hook_type previous_shmem_request_hook = nullptr;
shmem_startup_hook_type previous_shmem_startup_hook = nullptr;

// After the generator, on MAXALIGN boundaries: the registry's part, then the lease's.
Size registry_offset() { return MAXALIGN(sizeof(SharedGenerator)); }
Size lease_offset() { return registry_offset() + MAXALIGN(registry_shared_size()); }

// ShmemInitStruct aligns to MAXALIGN only; the generator wants its own cache lines, so the
// block has room to align it.
Size block_bytes() { return alignof(SharedGenerator) + lease_offset() + lease_shared_size(); }

// Asks for the block and the lease's lock before shared memory is sized.
void request_shared_memory() {
  if (previous_shmem_request_hook != nullptr) previous_shmem_request_hook();
  RequestAddinShmemSpace(block_bytes());
  request_lease_lock();
}

// Creates the block once per server start (and after a crash); the lease then resumes the
// generator after the durable lease.
void start_shared_memory() {
  if (previous_shmem_startup_hook != nullptr) previous_shmem_startup_hook();

  LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
  bool found = false;
  void* block = ShmemInitStruct(kShmemName, block_bytes(), &found);
  char* aligned = reinterpret_cast<char*>(
      TYPEALIGN(alignof(SharedGenerator), reinterpret_cast<uintptr_t>(block)));
  shared = found ? reinterpret_cast<SharedGenerator*>(aligned) : new (aligned) SharedGenerator();
  // The registry first: without a registry it publishes the configured worker id, which the
  // lease compares with the one its ids were issued under.
  start_registry(aligned + registry_offset(), found, *shared);
  start_lease(aligned + lease_offset(), found, *shared, generator_layout());
  LWLockRelease(AddinShmemInitLock);
}

}  // namespace

SharedGenerator* shared_generator() { return shared; }

SharedGenerator& preloaded_generator() {
  if (shared == nullptr) report_not_preloaded();
  return *shared;
}

void install_shared_memory_hooks() {
  previous_shmem_request_hook = shmem_request_hook;
  shmem_request_hook = request_shared_memory;
  previous_shmem_startup_hook = shmem_startup_hook;
  shmem_startup_hook = start_shared_memory;
}

}  // namespace snowflake::pg
