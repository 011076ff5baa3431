// Every core header includes this first. The core is plain C++17 that builds and is unit-tested
// without PostgreSQL, so it must never see a PostgreSQL header: PostgreSQL's port.h redefines
// snprintf and friends, and its elog longjmps are unsafe around C++ objects. Glue files include
// core headers before any PostgreSQL header, which this check also enforces.
#pragma once

#ifdef POSTGRES_H
#error "src/core must not see PostgreSQL headers: include core headers before postgres.h"
#endif
