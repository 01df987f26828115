# tests/faults/faults.mk - fault tests of a generated sync agent on real
# servers: the target PostgreSQL and the source MariaDB restarted mid-load,
# and the loop retrying through a target restart (tests/faults/run.sh).
# Run it with:
#
#   make fault-test        (or make test-faults, the name the issue uses)

.PHONY: fault-test test-faults

fault-test: wellosc $(B)/libwellosrt.a
	bash tests/faults/run.sh ./wellosc

test-faults: fault-test
