# snowflake: Twitter-Snowflake-style ids from a lock-free generator in shared memory.
# Built with PGXS; see README.md for the commands that build, install and test it.

EXTENSION = snowflake
MODULE_big = snowflake
PGFILEDESC = "snowflake - time-ordered unique 64-bit ids"

# The build may run in another directory than the sources (pg_buildext builds each PostgreSQL
# version in build-NN/ with `make -f SOURCES/Makefile VPATH=SOURCES`): sources are found under
# $(srcdir), which PGXS sets to VPATH or to this Makefile's directory, and everything built
# (objects, test results, build/) goes to the current directory. These are recursive variables
# because srcdir is only set once PGXS is included.
CORE_SOURCES = $(wildcard $(srcdir)/src/core/*.cpp)
GLUE_SOURCES = $(wildcard $(srcdir)/src/pg/*.cpp)
OBJS = $(patsubst $(srcdir)/%.cpp,%.o,$(CORE_SOURCES) $(GLUE_SOURCES))
# PGXS installs DATA from $(srcdir), so the paths are relative to it.
DATA = $(patsubst $(srcdir)/%,%,$(wildcard $(srcdir)/sql/snowflake--*.sql))

# Where the tests run. By default (TEST_SERVER=private) pg_regress starts a private server for
# the pg_regress and for the isolation tests (--temp-instance) whose configuration preloads the
# library, and installcheck also runs the TAP tests in test/t, which start their own.
# `make installcheck TEST_SERVER=running` runs the pg_regress and isolation tests on the server
# that PGHOST and PGPORT name instead, which must preload snowflake with the settings of
# test/conf/preload.conf: the Debian packages are tested so, on a server made by pg_virtualenv
# (debian/tests/installcheck). The tests that need servers of their own are left out then.
TEST_SERVER ?= private
REGRESS = install trusted nextval batch decode type operators comparison_forms bigint_plans \
	layouts advance stats settings registry observe upgrade migrate partitions
ISOLATION = concurrent_nextval
ISOLATION_OPTS = --inputdir=$(srcdir)/test/isolation
ifeq ($(TEST_SERVER),private)
REGRESS_OPTS = --temp-instance=./tmp_check_regress --temp-config=$(srcdir)/test/conf/preload.conf
ISOLATION_OPTS += --temp-instance=./tmp_check_isolation \
	--temp-config=$(srcdir)/test/conf/preload.conf
TAP_TESTS = 1
PROVE_TESTS = test/t/*.pl
else ifneq ($(TEST_SERVER),running)
$(error TEST_SERVER is '$(TEST_SERVER)': it must be 'private' or 'running')
endif

# Headers are included as "core/..." and "pg/...", and libpq's (the registry worker's) from
# where PGXS says it is.
PG_CPPFLAGS = -I$(srcdir)/src -I$(libpq_srcdir)
# C++17 for the core; no exceptions or RTTI, so nothing can throw into PostgreSQL's C frames.
# -Wno-register: PostgreSQL's headers still use the `register` keyword, removed in C++17.
SNOWFLAKE_CXXFLAGS = -std=c++17 -fno-exceptions -fno-rtti -Wno-register
PG_CXXFLAGS = $(SNOWFLAKE_CXXFLAGS) -Wextra -Wno-unused-parameter -Wno-missing-field-initializers
# The .so is linked by the C compiler, which does not add the C++ runtime itself.
# -Bsymbolic: calls between the library's own functions bind inside it rather than through the
# PLT; the benchmark's profile found four PLT calls on the path of every id.
SHLIB_LINK = -lstdc++ -Wl,-Bsymbolic
# libpq for the registry worker, linked the way postgres_fdw and dblink link it.
SHLIB_LINK_INTERNAL = $(libpq)

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# Stop before compiling anything on a server older than 15, which has no custom WAL resource
# managers (src/pg/module.cpp says the same with #error, for builds without this Makefile).
ifneq ($(filter 9.% 10 11 12 13 14,$(MAJORVERSION)),)
$(error snowflake requires PostgreSQL 15 or later, and $(PG_CONFIG) is $(MAJORVERSION))
endif

# PGXS also compiles every .cpp to LLVM bitcode for JIT inlining, with clang and without
# PG_CXXFLAGS; clang rejects `register` in C++17 unless told otherwise. Same flags, same code.
BITCODE_CXXFLAGS += $(SNOWFLAKE_CXXFLAGS)

# PGXS tracks no header dependencies: rebuild every object when any header changes.
SOURCE_HEADERS = $(wildcard $(srcdir)/src/core/*.h $(srcdir)/src/pg/*.h)
$(OBJS) $(OBJS:.o=.bc): $(SOURCE_HEADERS)

# Out of the source tree, the objects' directories must be made first. They are named by
# absolute path, or VPATH would find the source tree's own and make nothing.
OBJECT_DIRS = $(sort $(patsubst %/,$(CURDIR)/%,$(dir $(OBJS))))
$(OBJS) $(OBJS:.o=.bc): | $(OBJECT_DIRS)
$(OBJECT_DIRS):
	$(MKDIR_P) $@

# The same kind of checks on a server that does not preload the library. installcheck stops at
# the first kind that fails; test/run-all.sh runs each kind, and each TAP file, on its own.
ifeq ($(TEST_SERVER),private)
installcheck: installcheck-no-preload
endif
installcheck-no-preload:
	$(pg_regress_installcheck) --temp-instance=./tmp_check_no_preload \
		--temp-config=$(srcdir)/test/conf/no_preload.conf --outputdir=output_no_preload no_preload

# What installcheck runs, one kind at a time, so that test/run-all.sh can report each;
# PROVE_TESTS=test/t/NAME.pl runs one TAP file.
installcheck-regress:
	$(pg_regress_installcheck) $(REGRESS_OPTS) $(REGRESS)
installcheck-isolation:
	$(pg_isolation_regress_installcheck) $(ISOLATION_OPTS) $(ISOLATION)
installcheck-tap:
	$(prove_installcheck)

.PHONY: installcheck-no-preload installcheck-regress installcheck-isolation installcheck-tap

# GoogleTest unit tests of src/core. They compile the core with no PostgreSQL header on the
# include path, so a core file that includes one fails to build, and they run under
# AddressSanitizer and UndefinedBehaviorSanitizer, which stop at the first finding.
UNIT_TEST_BINARY = build/unit_tests
UNIT_TEST_SOURCES = $(wildcard $(srcdir)/test/unit/*.cpp)
UNIT_CXXFLAGS = -std=c++17 -O1 -g -Wall -Wextra -Werror -I$(srcdir)/src \
	-fsanitize=address,undefined -fno-sanitize-recover=all

$(UNIT_TEST_BINARY): $(CORE_SOURCES) $(wildcard $(srcdir)/src/core/*.h $(srcdir)/test/unit/*.h) \
		$(UNIT_TEST_SOURCES)
	@mkdir -p $(dir $@)
	$(CXX) $(UNIT_CXXFLAGS) -o $@ $(CORE_SOURCES) $(UNIT_TEST_SOURCES) -lgtest_main -lgtest -pthread

unittest: $(UNIT_TEST_BINARY)
	$(UNIT_TEST_BINARY)

.PHONY: unittest

# libFuzzer target for src/core, under AddressSanitizer and UndefinedBehaviorSanitizer (clang
# only: libFuzzer is part of clang). `make fuzz` runs it for FUZZ_SECONDS on a scratch copy of
# test/fuzz/corpus, so the inputs it finds stay out of the repository; a crashing input is
# saved in build/. It is built with the clang++ of the clang that PGXS uses for bitcode
# (Makefile.global's CLANG, e.g. /usr/bin/clang-14), whose package the server's -dev package
# brings.
FUZZ_BINARY = build/fuzz_core
FUZZ_CXX ?= $(patsubst %clang,%clang++,$(subst clang-,clang++-,$(CLANG)))
FUZZ_SECONDS ?= 10
FUZZ_CXXFLAGS = -std=c++17 -g -O1 -Wall -Wextra -Werror -I$(srcdir)/src \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all

$(FUZZ_BINARY): $(CORE_SOURCES) $(wildcard $(srcdir)/src/core/*.h) $(srcdir)/test/fuzz/fuzz_core.cpp
	@mkdir -p $(dir $@)
	$(FUZZ_CXX) $(FUZZ_CXXFLAGS) -o $@ $(CORE_SOURCES) $(srcdir)/test/fuzz/fuzz_core.cpp

fuzz: $(FUZZ_BINARY)
	corpus=$$(mktemp -d) && cp $(srcdir)/test/fuzz/corpus/* $$corpus/ && \
	{ $(FUZZ_BINARY) -max_total_time=$(FUZZ_SECONDS) -artifact_prefix=build/ $$corpus; \
	  status=$$?; rm -rf $$corpus; exit $$status; }

.PHONY: fuzz

# Every C++ file follows .clang-format; test/run-all.sh checks it.
FORMATTED_SOURCES = $(wildcard $(addprefix $(srcdir)/,src/core/*.h src/core/*.cpp src/pg/*.h \
	src/pg/*.cpp test/unit/*.h test/unit/*.cpp test/fuzz/*.cpp))

check-format:
	clang-format --dry-run --Werror $(FORMATTED_SOURCES)

.PHONY: check-format

# The PGXN release archive, dist/snowflake-VERSION.zip: the committed tree (git archive of HEAD)
# under one snowflake-VERSION/ directory, VERSION being META.json's. test/release_check.py
# checks META.json and the versions before, and the archive after.
DIST_VERSION = $(shell sed -n 's/^\t"version": "\(.*\)",$$/\1/p' $(srcdir)/META.json)
DIST_ARCHIVE = dist/$(EXTENSION)-$(DIST_VERSION).zip

dist:
	$(srcdir)/test/release_check.py
	@mkdir -p dist
	git -C $(srcdir) archive --format=zip --prefix=$(EXTENSION)-$(DIST_VERSION)/ \
		--output=$(CURDIR)/$(DIST_ARCHIVE) HEAD
	$(srcdir)/test/release_check.py --archive $(DIST_ARCHIVE)

.PHONY: dist
