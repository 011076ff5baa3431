# snowflake: Twitter-Snowflake-style ids from a lock-free generator in shared memory.
# Built with PGXS; see README.md for the commands that build, install and test it.

EXTENSION = snowflake
MODULE_big = snowflake
PGFILEDESC = "snowflake - time-ordered unique 64-bit ids"

CORE_SOURCES = $(wildcard src/core/*.cpp)
GLUE_SOURCES = $(wildcard src/pg/*.cpp)
OBJS = $(CORE_SOURCES:.cpp=.o) $(GLUE_SOURCES:.cpp=.o)
DATA = $(wildcard sql/snowflake--*.sql)

# pg_regress and isolation tests run on a private server (--temp-instance) whose configuration
# preloads the library; installcheck also runs the TAP tests in test/t.
REGRESS = install trusted nextval batch decode type operators comparison_forms bigint_plans \
	layouts advance stats settings upgrade migrate partitions
REGRESS_OPTS = --temp-instance=./tmp_check_regress --temp-config=test/conf/preload.conf
ISOLATION = concurrent_nextval
ISOLATION_OPTS = --inputdir=test/isolation --temp-instance=./tmp_check_isolation \
	--temp-config=test/conf/preload.conf
TAP_TESTS = 1
PROVE_TESTS = test/t/*.pl

# Headers are included as "core/..." and "pg/...".
PG_CPPFLAGS = -Isrc
# C++17 for the core; no exceptions or RTTI, so nothing can throw into PostgreSQL's C frames.
# -Wno-register: PostgreSQL's headers still use the `register` keyword, removed in C++17.
SNOWFLAKE_CXXFLAGS = -std=c++17 -fno-exceptions -fno-rtti -Wno-register
PG_CXXFLAGS = $(SNOWFLAKE_CXXFLAGS) -Wextra -Wno-unused-parameter -Wno-missing-field-initializers
# The .so is linked by the C compiler, which does not add the C++ runtime itself.
# -Bsymbolic: calls between the library's own functions bind inside it rather than through the
# PLT; the benchmark's profile found four PLT calls on the path of every id.
SHLIB_LINK = -lstdc++ -Wl,-Bsymbolic

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
SOURCE_HEADERS = $(wildcard src/core/*.h src/pg/*.h)
$(OBJS) $(OBJS:.o=.bc): $(SOURCE_HEADERS)

# The same kind of checks on a server that does not preload the library.
installcheck: installcheck-no-preload
installcheck-no-preload:
	$(pg_regress_installcheck) --temp-instance=./tmp_check_no_preload \
		--temp-config=test/conf/no_preload.conf --outputdir=output_no_preload no_preload

# What installcheck runs, one kind at a time, so that test/run-all.sh can report each.
installcheck-regress: installcheck-no-preload
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
UNIT_TEST_SOURCES = $(wildcard test/unit/*.cpp)
UNIT_CXXFLAGS = -std=c++17 -O1 -g -Wall -Wextra -Werror -Isrc \
	-fsanitize=address,undefined -fno-sanitize-recover=all

$(UNIT_TEST_BINARY): $(CORE_SOURCES) $(wildcard src/core/*.h test/unit/*.h) $(UNIT_TEST_SOURCES)
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
FUZZ_CXXFLAGS = -std=c++17 -g -O1 -Wall -Wextra -Werror -Isrc \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all

$(FUZZ_BINARY): $(CORE_SOURCES) $(wildcard src/core/*.h) test/fuzz/fuzz_core.cpp
	@mkdir -p $(dir $@)
	$(FUZZ_CXX) $(FUZZ_CXXFLAGS) -o $@ $(CORE_SOURCES) test/fuzz/fuzz_core.cpp

fuzz: $(FUZZ_BINARY)
	corpus=$$(mktemp -d) && cp test/fuzz/corpus/* $$corpus/ && \
	{ $(FUZZ_BINARY) -max_total_time=$(FUZZ_SECONDS) -artifact_prefix=build/ $$corpus; \
	  status=$$?; rm -rf $$corpus; exit $$status; }

.PHONY: fuzz

# Every C++ file follows .clang-format; test/run-all.sh checks it.
FORMATTED_SOURCES = $(wildcard src/core/*.h src/core/*.cpp src/pg/*.h src/pg/*.cpp \
	test/unit/*.h test/unit/*.cpp test/fuzz/*.cpp)

check-format:
	clang-format --dry-run --Werror $(FORMATTED_SOURCES)

.PHONY: check-format
