# tests/tests.mk - the unit tests (CUnit, built with ASan+UBSan) and the
# command-line tests.  Included by the top Makefile.

UNIT_SRC = $(wildcard tests/unit/*.c)
UNIT_OBJ = $(UNIT_SRC:%.c=$(B)/asan/%.o)

UNIT_SCHEMA_OBJ = $(SCHEMA_SRC:%.c=$(B)/asan/%.o)

$(B)/unit-tests: $(UNIT_OBJ) $(ASAN_FRONT_OBJ) $(UNIT_SCHEMA_OBJ)
	@echo "  LD      $@"
	$(Q)$(CC) $(SAN) -o $@ $^ -lcunit -ljansson

unit-test: $(B)/unit-tests
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 $(B)/unit-tests

cli-test: wellosc $(B)/wellos-introspect
	bash tests/cli/run.sh ./wellosc
