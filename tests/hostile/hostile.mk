# tests/hostile/hostile.mk - the seeded hostile-identifier property test.
# Included by the top Makefile.  HOSTILE_SPECS=N runs N seeds (30 by
# default) from HOSTILE_SEED (1 by default); HOSTILE_SEEDS="3 17" runs
# those seeds; HOSTILE_KEEP=1 keeps the work directory; HOSTILE_AVOID=
# comment,nested leaves out the name pieces and expressions of known bugs
# (to look past them); HOSTILE_KNOWN=date-lookback puts in the specs what
# an open bug fails on (a lookback on a date watermark: the agent refuses
# the stored date on its next run).
#
# $(B)/tests/hostile/plan_check prepares (or runs and rolls back) every
# statement of an etl tenant's `wellosc plan` on the real servers.

HOSTILE_PLAN_CHECK = $(B)/tests/hostile/plan_check

$(HOSTILE_PLAN_CHECK): tests/hostile/plan_check.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(WARN) -D_XOPEN_SOURCE=700 -I/usr/include/postgresql -I/usr/include/mariadb $(CFLAGS) \
	    -o $@ $< -lpq -lmariadb

hostile-specs: wellosc $(B)/libwellosrt.a $(HOSTILE_PLAN_CHECK)
	bash tests/hostile/specs.sh

.PHONY: hostile-specs
