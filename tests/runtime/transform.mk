# tests/runtime/transform.mk - the tests of the sync agents' transforms
# (runtime/wr_transform.c, wr_xf_number.c, wr_xf_time.c): CUnit,
# ASan+UBSan, leak detection, no server.
# Included by the top Makefile, which provides B, CC, WARN, SAN, DEPFLAGS
# and Q; until it does:
#
#   make transform-test
#
# The test is linked with the runtime sources it exercises, built here
# with the runtime's flags, rather than with the whole libwellosrt.a: it
# needs no database client and stays buildable while other runtime files
# change.  Objects go to $(B)/asan/transform/, apart from runtime.mk's.

XF_TEST_BIN   = $(B)/tests/runtime/test_transform
XF_RT_SRC     = runtime/wr_transform.c runtime/wr_xf_number.c runtime/wr_xf_time.c runtime/wr_value.c runtime/wr_arena.c runtime/wr_err.c
XF_OBJ        = $(XF_RT_SRC:%.c=$(B)/asan/transform/%.o) $(B)/asan/transform/tests/runtime/test_transform.o
XF_CPPFLAGS   = -D_XOPEN_SOURCE=700 -Iruntime -I/usr/include/postgresql -I/usr/include/mariadb
XF_LIBS       = -lcunit -ljansson -lm

.PHONY: transform-test

$(XF_OBJ): $(B)/asan/transform/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC+SAN  $<"
	$(Q)$(CC) $(WARN) $(XF_CPPFLAGS) -O1 -g $(SAN) $(DEPFLAGS) -c -o $@ $<

$(XF_TEST_BIN): $(XF_OBJ)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(CC) $(SAN) -o $@ $(XF_OBJ) $(XF_LIBS)

transform-test: $(XF_TEST_BIN)
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 $(XF_TEST_BIN)
