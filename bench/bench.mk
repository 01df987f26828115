# bench/bench.mk - benchmarks.  Included by the top Makefile; everything it
# builds or generates goes under $(B)/bench.
#
#   make bench             every benchmark
#   make bench-frontend    `wellosc check` on generated specs of 1x (1,000
#                          entities x 20 fields + 1,000 tenants) and 10x;
#                          prints size, bytes, median wall time, peak RSS
#                          and the 10x/1x ratios
#
# BENCH_RUNS (default 5) measured runs per point, after one warm-up run.
# The tools: bench/gen_spec.c (spec generator) and bench/runstat.c (runs a
# command K times: median/min/max wall time and peak RSS), both reusable.

BENCH_DIR    = $(B)/bench
BENCH_RUNS  ?= 5
BENCH_CFLAGS = -O2 -g
GEN_SPEC     = $(BENCH_DIR)/gen_spec
RUNSTAT      = $(BENCH_DIR)/runstat

$(BENCH_DIR)/%: bench/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(WARN) $(CPPFLAGS) $(BENCH_CFLAGS) -o $@ $<

# The generated specs: DIR/spec.wmap imports the parts (1,000 entities or
# tenants a file).
$(BENCH_DIR)/spec-1x/spec.wmap: $(GEN_SPEC)
	@echo "  GEN     $(dir $@) (1,000 entities, 1,000 tenants)"
	$(Q)rm -rf $(dir $@)
	$(Q)$(GEN_SPEC) -e 1000 -t 1000 -o $(dir $@)

$(BENCH_DIR)/spec-10x/spec.wmap: $(GEN_SPEC)
	@echo "  GEN     $(dir $@) (10,000 entities, 10,000 tenants)"
	$(Q)rm -rf $(dir $@)
	$(Q)$(GEN_SPEC) -e 10000 -t 10000 -o $(dir $@)

BENCH_FRONTEND_SPECS = $(BENCH_DIR)/spec-1x/spec.wmap $(BENCH_DIR)/spec-10x/spec.wmap

# Each spec must check with no diagnostic at all (exit 0, nothing printed)
# before it is timed: the benchmark measures the path of a good spec.
bench-frontend: wellosc $(RUNSTAT) $(BENCH_FRONTEND_SPECS)
	$(Q)set -e; \
	for size in 1x 10x; do \
	    spec=$(BENCH_DIR)/spec-$$size/spec.wmap; \
	    if ! out=$$(./wellosc check $$spec 2>&1) || [ -n "$$out" ]; then \
	        echo "bench: ./wellosc check $$spec is not clean:" >&2; \
	        printf '%s\n' "$$out" | head -20 >&2; \
	        exit 1; \
	    fi; \
	done; \
	echo; \
	echo "wellosc check: median of $(BENCH_RUNS) runs (after 1 warm-up), peak RSS of those runs"; \
	printf '%-6s %12s %6s %10s %10s %10s %10s\n' size bytes files median min max 'peak RSS'; \
	rm -f $(BENCH_DIR)/frontend.tmp; \
	for size in 1x 10x; do \
	    dir=$(BENCH_DIR)/spec-$$size; \
	    bytes=$$(cat $$dir/*.wmap | wc -c); \
	    files=$$(ls $$dir/*.wmap | wc -l); \
	    stats=$$($(RUNSTAT) -m -q -w 1 -n $(BENCH_RUNS) ./wellosc check $$dir/spec.wmap); \
	    echo "$$size $$bytes $$files $$stats" >> $(BENCH_DIR)/frontend.tmp; \
	done; \
	awk '{ for (i = 4; i <= NF; i++) { split($$i, kv, "="); v[NR, kv[1]] = kv[2] } \
	       b[NR] = $$2; \
	       printf "%-6s %12d %6d %8.3f s %8.3f s %8.3f s %6.1f MiB\n", $$1, $$2, $$3, \
	              v[NR, "median_s"], v[NR, "min_s"], v[NR, "max_s"], v[NR, "maxrss_kb"] / 1024 } \
	     END { printf "10x/1x %11.2fx %6s %9.2fx %10s %10s %9.2fx\n", b[2] / b[1], "", \
	                  v[2, "median_s"] / v[1, "median_s"], "", "", \
	                  v[2, "maxrss_kb"] / v[1, "maxrss_kb"] }' $(BENCH_DIR)/frontend.tmp; \
	rm -f $(BENCH_DIR)/frontend.tmp

bench: bench-frontend bench-repo bench-sync

.PHONY: bench bench-frontend
