# tests/fuzz/fuzz.mk - fuzzing the compiler (front end and back ends) with libFuzzer (clang).
# Included by the top Makefile after FRONT_SRC and GEN_SRC are defined.
#
#   make fuzz-build                 build/fuzz/fuzz_frontend
#   make fuzz [FUZZ_SECONDS=600]    fresh corpus from the specs, examples,
#                                   error tests and tests/fuzz/seeds, then
#                                   fuzz, then compile the C of every input
#                                   gen accepts (compile_corpus.sh); non-zero
#                                   exit on any finding, whose input is left
#                                   in build/fuzz/
#
# A crash is reproduced with:  build/fuzz/fuzz_frontend build/fuzz/crash-...

FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 600
FUZZ_DIR      = $(B)/fuzz
FUZZ_BIN      = $(FUZZ_DIR)/fuzz_frontend
FUZZ_CORPUS   = $(FUZZ_DIR)/corpus
FUZZ_CFLAGS   = -std=c11 -g -O1 -fno-omit-frame-pointer \
                -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
                -Wall -Wextra -Werror
FUZZ_SEEDS    = $(wildcard specs/*.wmap examples/*.wmap tests/errors/*.wmap tests/fuzz/seeds/*)
# The target refuses imports, so a tenant spec reaches the back ends only
# whole: the canonical spec, then the tenant without its import line.
FUZZ_WHOLE    = $(wildcard examples/*.wmap) bench/sync.wmap
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
fuzz: fuzz-build wellosc
	$(Q)rm -rf $(FUZZ_CORPUS)
	$(Q)mkdir -p $(FUZZ_CORPUS)
	$(Q)for f in $(FUZZ_SEEDS); do cp "$$f" "$(FUZZ_CORPUS)/$$(echo "$$f" | tr / _)"; done
	$(Q)for f in $(FUZZ_WHOLE); do { cat specs/wellos.wmap; grep -v '^import ' "$$f"; } \
	    >"$(FUZZ_CORPUS)/whole_$$(echo "$$f" | tr / _)"; done
	@echo "  FUZZ    $(FUZZ_SECONDS) s, corpus $(FUZZ_CORPUS), findings in $(FUZZ_DIR)/"
	$(Q)$(FUZZ_BIN) $(FUZZ_OPTIONS) $(FUZZ_CORPUS)
	$(Q)bash tests/fuzz/compile_corpus.sh $(FUZZ_CORPUS)

.PHONY: fuzz fuzz-build
