# tests/e2e/e2e.mk - end-to-end tests of the generated sync agents: builds
# eagle_ford, bakken_pg and lone_star with `wellosc build` and runs them
# against a private MariaDB and PostgreSQL (tests/e2e/run.sh).  Run it with:
#
#   make e2e-test

.PHONY: e2e-test

e2e-test: wellosc $(B)/libwellosrt.a $(B)/wellos-introspect
	bash tests/e2e/run.sh ./wellosc
