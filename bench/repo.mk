# bench/repo.mk - the generated PostgreSQL repository against a hand-written
# libpq loop (issue: typed repositories).  Included by the top Makefile;
# until it is:
#     make bench-repo
#
#   bench-repo   builds $(B)/bench/repo_bench (-O2, no sanitizer) from
#                bench/repo_bench.c, generated/gulf_native (the native
#                PostgreSQL tenant, opened through its factory repos.c) and
#                libwellosrt.a; then bench/repo_bench.sh starts a private
#                PostgreSQL, measures find_by_id and save (100,000 calls
#                each) and find_all (10,000 and 100,000 rows: rows per
#                second, peak RSS), 5 runs each, prints a markdown table of
#                medians and ratios, and stops the server.
#
# REPO_BENCH_RUNS (default 5) runs per measurement; REPO_BENCH_CALLS
# (default 100000) calls of find_by_id and save; REPO_BENCH_SPLIT=0 skips
# the second round with the client on another CPU than the server.

REPO_BENCH_OUT    = $(B)/bench
REPO_BENCH_GEN    = generated/gulf_native
REPO_BENCH_BIN    = $(REPO_BENCH_OUT)/repo_bench
REPO_BENCH_CFLAGS = -O2 -g -std=c11 -Wall -Wextra -Werror -Iruntime -I$(REPO_BENCH_GEN) -I/usr/include/postgresql
REPO_BENCH_RUNS  ?= 5
REPO_BENCH_CALLS ?= 100000
REPO_BENCH_SPLIT ?= 1

$(REPO_BENCH_BIN): bench/repo_bench.c $(wildcard $(REPO_BENCH_GEN)/*.c $(REPO_BENCH_GEN)/*.h) $(B)/libwellosrt.a
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) $(REPO_BENCH_CFLAGS) -o $@ bench/repo_bench.c $(REPO_BENCH_GEN)/*.c $(B)/libwellosrt.a $(WR_LIBS)

.PHONY: bench-repo
bench-repo: $(REPO_BENCH_BIN)
	$(Q)REPO_BENCH_RUNS=$(REPO_BENCH_RUNS) REPO_BENCH_CALLS=$(REPO_BENCH_CALLS) REPO_BENCH_SPLIT=$(REPO_BENCH_SPLIT) \
	    bash bench/repo_bench.sh $(REPO_BENCH_BIN)
