# bench/sync.mk - the sync benchmark: the agent of bench/sync.wmap (an etl
# tenant, MariaDB -> PostgreSQL) against a naive `mariadb | psql \copy` pipe
# and pgloader.  Part of `make bench`; alone:
#     make bench-sync
#
#   bench-sync   builds ./wellosc, build/libwellosrt.a and $(B)/bench/runstat,
#                then bench/sync_bench.sh builds the agents
#                ($(B)/bench/sync/wellos-sync-bench_sync, and of
#                bench/sync_bare.wmap $(B)/bench/sync/bare/, plain
#                `./wellosc build`), starts a private PostgreSQL and MariaDB,
#                makes the source with SQL, measures full sync, re-sync and
#                1%-changed re-sync against the pipe (100,000 and 1,000,000
#                production rows), prints markdown tables (also in
#                $(B)/bench/sync/report.md) and stops the servers.
#
# SYNC_BENCH_RUNS (default 3) runs per measurement; SYNC_BENCH_BIG=1 adds
# 5,000,000 rows; SYNC_BENCH_PGLOADER=1 also runs pgloader (apt-get installs
# it if missing); SYNC_BENCH_PROFILE=1 also profiles one 1,000,000-row full
# sync (perf) into $(B)/bench/sync/profile/.  About 5 minutes by default.

# runstat is built by bench/bench.mk's rule ($(B)/bench/%: bench/%.c).
SYNC_BENCH_RUNSTAT = $(B)/bench/runstat

.PHONY: bench-sync
bench-sync: wellosc $(B)/libwellosrt.a $(SYNC_BENCH_RUNSTAT)
	$(Q)bash bench/sync_bench.sh $(SYNC_BENCH_RUNSTAT)
