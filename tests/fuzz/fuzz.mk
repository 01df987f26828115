# tests/fuzz/fuzz.mk - fuzzing with libFuzzer (clang): the compiler (front
# end and back ends) and the agents' value path.
# Included by the top Makefile after FRONT_SRC, GEN_SRC and runtime.mk.
#
#   make fuzz-build                 build/fuzz/fuzz_frontend
#   make fuzz [FUZZ_SECONDS=600]    fresh corpus from the specs, examples,
#                                   error tests and tests/fuzz/seeds, then
#                                   fuzz, then compile the C of every input
#                                   gen accepts (compile_corpus.sh); non-zero
#                                   exit on any finding, whose input is left
#                                   in build/fuzz/
#   make fuzz-values [FUZZ_SECONDS=600]   build/fuzz/fuzz_values from
#                                   tests/fuzz/values-seeds: client values
#                                   through transforms, binary COPY, hash
#   make fuzz-schema [FUZZ_SECONDS=600]   build/fuzz/fuzz_schema from the
#                                   snapshots of tests/cli/schema: schema
#                                   snapshots read and checked (check --schema)
#   make fuzz-smoke                 all three, a fixed number of inputs from a
#                                   fixed seed: part of make test
#
# A crash is reproduced with:  build/fuzz/fuzz_frontend build/fuzz/crash-...
# (or build/fuzz/fuzz_values build/fuzz/values-crash-...).

FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 600
FUZZ_DIR      = $(B)/fuzz
FUZZ_CFLAGS   = -std=c11 -g -O1 -fno-omit-frame-pointer \
                -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
                -Wall -Wextra -Werror

# ---- the compiler ---------------------------------------------------------------
FUZZ_BIN      = $(FUZZ_DIR)/fuzz_frontend
FUZZ_CORPUS   = $(FUZZ_DIR)/corpus
FUZZ_SEEDS    = $(wildcard specs/*.wmap examples/*.wmap tests/errors/*.wmap tests/fuzz/seeds/*)
# The target refuses imports, so a tenant spec reaches the back ends only
# whole: the canonical spec, then the tenant without its import line.
FUZZ_WHOLE    = $(wildcard examples/*.wmap) bench/sync_tenant.wmap
FUZZ_OPTIONS  = -dict=tests/fuzz/wmap.dict -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
                -print_final_stats=1 -max_total_time=$(FUZZ_SECONDS) \
                -artifact_prefix=$(FUZZ_DIR)/

$(FUZZ_BIN): tests/fuzz/fuzz_frontend.c $(FRONT_SRC) $(GEN_SRC) $(B)/wmap.tab.h \
             $(wildcard compiler/*.h) tests/fuzz/fuzz.mk
	@mkdir -p $(dir $@)
	@echo "  FUZZCC  $@"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) $(CPPFLAGS) -o $@ tests/fuzz/fuzz_frontend.c \
	    $(FRONT_SRC) $(GEN_SRC)

fuzz-build: $(FUZZ_BIN)

# The working corpus is rebuilt every run so that it starts from what is
# checked in; the seed files are named after their directory so that two
# seeds with one name do not overwrite each other.
define fuzz_fresh_corpus
	$(Q)rm -rf $(FUZZ_CORPUS)
	$(Q)mkdir -p $(FUZZ_CORPUS)
	$(Q)for f in $(FUZZ_SEEDS); do cp "$$f" "$(FUZZ_CORPUS)/$$(echo "$$f" | tr / _)"; done
	$(Q)for f in $(FUZZ_WHOLE); do { cat specs/wellos.wmap; grep -v '^import ' "$$f"; } \
	    >"$(FUZZ_CORPUS)/whole_$$(echo "$$f" | tr / _)"; done
endef

fuzz: fuzz-build wellosc
	$(fuzz_fresh_corpus)
	@echo "  FUZZ    $(FUZZ_SECONDS) s, corpus $(FUZZ_CORPUS), findings in $(FUZZ_DIR)/"
	$(Q)$(FUZZ_BIN) $(FUZZ_OPTIONS) $(FUZZ_CORPUS)
	$(Q)bash tests/fuzz/compile_corpus.sh $(FUZZ_CORPUS)

# ---- the agents' value path (transforms, binary COPY, row hash) -------------------
FUZZ_VALUES_BIN     = $(FUZZ_DIR)/fuzz_values
FUZZ_VALUES_CORPUS  = $(FUZZ_DIR)/values-corpus
FUZZ_VALUES_SEEDS   = $(wildcard tests/fuzz/values-seeds/*)
FUZZ_VALUES_OPTIONS = -max_len=4096 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
                      -artifact_prefix=$(FUZZ_DIR)/values-

$(FUZZ_VALUES_BIN): tests/fuzz/fuzz_values.c $(RT_SRC) $(wildcard runtime/*.h) tests/fuzz/fuzz.mk
	@mkdir -p $(dir $@)
	@echo "  FUZZCC  $@"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) $(RT_CPPFLAGS) -o $@ tests/fuzz/fuzz_values.c $(RT_SRC) $(WR_LIBS)

define fuzz_values_fresh_corpus
	$(Q)rm -rf $(FUZZ_VALUES_CORPUS)
	$(Q)mkdir -p $(FUZZ_VALUES_CORPUS)
	$(Q)for f in $(FUZZ_VALUES_SEEDS); do cp "$$f" $(FUZZ_VALUES_CORPUS)/; done
endef

fuzz-values: $(FUZZ_VALUES_BIN)
	$(fuzz_values_fresh_corpus)
	@echo "  FUZZ    $(FUZZ_SECONDS) s, corpus $(FUZZ_VALUES_CORPUS), findings in $(FUZZ_DIR)/"
	$(Q)$(FUZZ_VALUES_BIN) $(FUZZ_VALUES_OPTIONS) -max_total_time=$(FUZZ_SECONDS) $(FUZZ_VALUES_CORPUS)

# ---- schema snapshots (check --schema) ---------------------------------------------
FUZZ_SCHEMA_BIN     = $(FUZZ_DIR)/fuzz_schema
FUZZ_SCHEMA_CORPUS  = $(FUZZ_DIR)/schema-corpus
FUZZ_SCHEMA_OPTIONS = -max_len=16384 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
                      -artifact_prefix=$(FUZZ_DIR)/schema-

$(FUZZ_SCHEMA_BIN): tests/fuzz/fuzz_schema.c $(FRONT_SRC) $(SCHEMA_SRC) $(GEN_SRC) $(B)/wmap.tab.h \
                    $(wildcard compiler/*.h) tests/fuzz/fuzz.mk
	@mkdir -p $(dir $@)
	@echo "  FUZZCC  $@"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) $(CPPFLAGS) -o $@ tests/fuzz/fuzz_schema.c $(FRONT_SRC) $(SCHEMA_SRC) \
	    $(GEN_SRC) -ljansson

define fuzz_schema_fresh_corpus
	$(Q)rm -rf $(FUZZ_SCHEMA_CORPUS)
	$(Q)mkdir -p $(FUZZ_SCHEMA_CORPUS)
	$(Q)cp tests/cli/schema/*.json $(FUZZ_SCHEMA_CORPUS)/
endef

fuzz-schema: $(FUZZ_SCHEMA_BIN)
	$(fuzz_schema_fresh_corpus)
	@echo "  FUZZ    $(FUZZ_SECONDS) s, corpus $(FUZZ_SCHEMA_CORPUS), findings in $(FUZZ_DIR)/"
	$(Q)$(FUZZ_SCHEMA_BIN) $(FUZZ_SCHEMA_OPTIONS) -max_total_time=$(FUZZ_SECONDS) $(FUZZ_SCHEMA_CORPUS)

# ---- part of make test ------------------------------------------------------------
# Both targets for a fixed number of inputs from seed 1 (never for a time;
# libFuzzer's path still varies a little between runs, but a failure is
# always a real finding), then compile_corpus.sh.  It finds what a
# change breaks on the way from the seeds; the long runs above are for
# finding what nobody has thought of.
FUZZ_SMOKE_SPECS  ?= 40000
FUZZ_SMOKE_VALUES ?= 1000000
FUZZ_SMOKE_SCHEMAS ?= 100000

fuzz-smoke: fuzz-build $(FUZZ_VALUES_BIN) $(FUZZ_SCHEMA_BIN) wellosc
	$(fuzz_fresh_corpus)
	$(Q)$(FUZZ_BIN) $(FUZZ_OPTIONS) -seed=1 -runs=$(FUZZ_SMOKE_SPECS) $(FUZZ_CORPUS) 2>$(FUZZ_DIR)/smoke.log \
	    || { tail -40 $(FUZZ_DIR)/smoke.log; exit 1; }
	$(Q)bash tests/fuzz/compile_corpus.sh $(FUZZ_CORPUS)
	$(fuzz_values_fresh_corpus)
	$(Q)$(FUZZ_VALUES_BIN) $(FUZZ_VALUES_OPTIONS) -seed=1 -runs=$(FUZZ_SMOKE_VALUES) $(FUZZ_VALUES_CORPUS) \
	    2>$(FUZZ_DIR)/smoke-values.log || { tail -40 $(FUZZ_DIR)/smoke-values.log; exit 1; }
	$(fuzz_schema_fresh_corpus)
	$(Q)$(FUZZ_SCHEMA_BIN) $(FUZZ_SCHEMA_OPTIONS) -seed=1 -runs=$(FUZZ_SMOKE_SCHEMAS) $(FUZZ_SCHEMA_CORPUS) \
	    2>$(FUZZ_DIR)/smoke-schema.log || { tail -40 $(FUZZ_DIR)/smoke-schema.log; exit 1; }
	@echo "fuzz-smoke: $(FUZZ_SMOKE_SPECS) specs, $(FUZZ_SMOKE_VALUES) values and $(FUZZ_SMOKE_SCHEMAS) schema snapshots" \
	      "(seed 1), no finding"

.PHONY: fuzz fuzz-build fuzz-values fuzz-schema fuzz-smoke
