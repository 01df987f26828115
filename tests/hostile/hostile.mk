# tests/hostile/hostile.mk - the seeded hostile-identifier property test.
# Included by the top Makefile.  HOSTILE_SPECS=N runs seeds 1..N (30 by
# default); HOSTILE_SEEDS="3 17" runs those seeds; HOSTILE_KEEP=1 keeps the
# work directory; HOSTILE_AVOID=comment,nested leaves out the name pieces
# and expressions of known bugs (to look past them).

hostile-specs: wellosc $(B)/libwellosrt.a
	sh tests/hostile/specs.sh

.PHONY: hostile-specs
