# tests/faults/faults.mk - fault tests of a generated sync agent on real
# servers: the target PostgreSQL and the source MariaDB restarted mid-load,
# the loop retrying through a target restart, kill -9 at random instants,
# the agent's target session terminated and its source session killed,
# and a table lock held past --lock-timeout (tests/faults/run.sh).
# Run it with:
#
#   make fault-test        (or make test-faults, the name the issue uses)

.PHONY: fault-test test-faults

fault-test: wellosc $(B)/libwellosrt.a
	bash tests/faults/run.sh ./wellosc

test-faults: fault-test
