// Shared memory set-up, the pg_stat_statements way: ask for space in shmem_request_hook, create
// it under AddinShmemInitLock in shmem_startup_hook, and initialise only when it did not exist
// yet.
#include "pg/shared.h"

#include "pg/lease.h"
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

// ShmemInitStruct aligns to MAXALIGN only; the hot state wants its own cache lines.
constexpr Size kSharedBytes = sizeof(SharedGenerator) + alignof(SharedGenerator);

// Asks for the generator's block and the lease's before shared memory is sized.
void request_shared_memory() {
  if (previous_shmem_request_hook != nullptr) previous_shmem_request_hook();
  RequestAddinShmemSpace(kSharedBytes);
  request_lease_shared_memory();
}

// Creates the block once per server start (and after a crash), resuming after the lease.
void start_shared_memory() {
  if (previous_shmem_startup_hook != nullptr) previous_shmem_startup_hook();

  LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
  bool found = false;
  void* block = ShmemInitStruct(kShmemName, kSharedBytes, &found);
  void* aligned = reinterpret_cast<void*>(
      TYPEALIGN(alignof(SharedGenerator), reinterpret_cast<uintptr_t>(block)));
  shared = found ? static_cast<SharedGenerator*>(aligned) : new (aligned) SharedGenerator();
  start_lease(*shared, generator_layout());
  LWLockRelease(AddinShmemInitLock);
}

}  // namespace

SharedGenerator* shared_generator() { return shared; }

void install_shared_memory_hooks() {
  previous_shmem_request_hook = shmem_request_hook;
  shmem_request_hook = request_shared_memory;
  previous_shmem_startup_hook = shmem_startup_hook;
  shmem_startup_hook = start_shared_memory;
}

}  // namespace snowflake::pg
