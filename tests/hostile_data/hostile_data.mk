# tests/hostile_data/hostile_data.mk - hostile values in a client's rows
# (quotes, control characters, NUL bytes, invalid UTF-8, 1 MB texts, NaN,
# zero dates, decimals too large, duplicate keys) through the agents of
# tests/hostile_data/hostile.wmap, MariaDB and PostgreSQL to PostgreSQL, on
# private servers (tests/hostile_data/run.sh; README.md there has the
# results).  Included by the top Makefile.  Run it with:
#
#   make hostile-data-test
#
# HOSTILE_DATA_KEEP=DIR keeps the agents' logs and every dump and diff.

.PHONY: hostile-data-test

hostile-data-test: wellosc $(B)/libwellosrt.a
	bash tests/hostile_data/run.sh ./wellosc
