# runtime/runtime.mk - libwellosrt, the runtime generated code links
# against, and its tests.  Included by the top Makefile, which provides B,
# CC, CFLAGS, WARN, DEPFLAGS, SAN and Q.
#
#   make runtime        $(B)/libwellosrt.a (and $(B)/asan/libwellosrt.a on demand)
#   make runtime-test   the CUnit tests, ASan+UBSan, against private servers
#
# The runtime is built with its own preprocessor flags: it sees its own
# directory and the client libraries' headers, never compiler/.

RT_SRC      = $(wildcard runtime/*.c)
RT_OBJ      = $(RT_SRC:runtime/%.c=$(B)/runtime/%.o)
RT_ASAN_OBJ = $(RT_SRC:runtime/%.c=$(B)/asan/runtime/%.o)
RT_CPPFLAGS = -D_XOPEN_SOURCE=700 -Iruntime -I/usr/include/postgresql -I/usr/include/mariadb

# What a program linked with libwellosrt.a needs after it.
WR_LIBS = -lpq -lmariadb -lsybdb -ljansson -lm

RT_TEST_BIN = $(B)/tests/runtime/test_runtime
RT_TEST_OBJ = $(B)/asan/tests/runtime/test_runtime.o

.PHONY: runtime runtime-test
runtime: $(B)/libwellosrt.a $(B)/wellos-introspect

# The program `wellosc introspect` runs to read a database's catalog: the
# compiler itself links no client library.
$(B)/runtime/bin/wellos_introspect.o: runtime/bin/wellos_introspect.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(WARN) $(RT_CPPFLAGS) $(CFLAGS) $(DEPFLAGS) -c -o $@ $<

$(B)/wellos-introspect: $(B)/runtime/bin/wellos_introspect.o $(B)/libwellosrt.a
	@echo "  LD      $@"
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(WR_LIBS)

$(RT_OBJ): $(B)/runtime/%.o: runtime/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(WARN) $(RT_CPPFLAGS) $(CFLAGS) $(DEPFLAGS) -c -o $@ $<

$(RT_ASAN_OBJ): $(B)/asan/runtime/%.o: runtime/%.c
	@mkdir -p $(dir $@)
	@echo "  CC+SAN  $<"
	$(Q)$(CC) $(WARN) $(RT_CPPFLAGS) -O1 -g $(SAN) $(DEPFLAGS) -c -o $@ $<

$(B)/libwellosrt.a: $(RT_OBJ)
	@echo "  AR      $@"
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(B)/asan/libwellosrt.a: $(RT_ASAN_OBJ)
	@echo "  AR      $@"
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(RT_TEST_OBJ): tests/runtime/test_runtime.c
	@mkdir -p $(dir $@)
	@echo "  CC+SAN  $<"
	$(Q)$(CC) $(WARN) $(RT_CPPFLAGS) -O1 -g $(SAN) $(DEPFLAGS) -c -o $@ $<

$(RT_TEST_BIN): $(RT_TEST_OBJ) $(B)/asan/libwellosrt.a
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(CC) $(SAN) -o $@ $(RT_TEST_OBJ) $(B)/asan/libwellosrt.a -lcunit $(WR_LIBS)

# Starts private PostgreSQL and MariaDB servers for the run, stops them after.
runtime-test: $(RT_TEST_BIN)
	bash tests/runtime/run.sh $(RT_TEST_BIN)
