# tests/repo/repo.mk - integration tests of the generated repositories
# against real servers.  Included by the top Makefile, which provides B, CC,
# WARN, SAN, DEPFLAGS and Q, and (through runtime/runtime.mk) WR_LIBS and
# $(B)/asan/libwellosrt.a.  Until it does:
#     make repo-test
#
# For each example below, every .c of generated/<example>/ (but an etl
# tenant's sync agent, <tenant>_sync.c, which has a main) is compiled with
# ASan+UBSan next to tests/repo/test_<example>.c and the shared test files,
# against generated/<example>/'s headers, into $(B)/tests/repo/test_<example>.
# The native and etl examples also get tests/repo/marker.c, the tenant
# marker's tests.  test_north_sea_oracle holds only the Oracle tenant's
# factory (repos.c).  `repo-test` starts a private PostgreSQL and MariaDB
# and runs them all; it builds bakken_pg's agent with ./wellosc to
# initialise that tenant's target.

REPO_EXAMPLES = gulf_native permian_ops anadarko_pg bakken_pg
REPO_MARKED   = gulf_native bakken_pg
REPO_SHARED   = tests/repo/common.c tests/repo/entities.c
REPO_CPPFLAGS = -D_XOPEN_SOURCE=700 -Iruntime -Itests/repo -I/usr/include/postgresql -I/usr/include/mariadb
REPO_CFLAGS   = $(WARN) -O1 -g $(SAN) $(DEPFLAGS)
REPO_BINS     = $(REPO_EXAMPLES:%=$(B)/tests/repo/test_%) $(B)/tests/repo/test_north_sea_oracle

# $(1): the example.  Its objects live in $(B)/asan/repo/$(1)/, generated
# code under gen/, the tests' own files next to it.
define REPO_EXAMPLE_RULES
REPO_GEN_OBJ_$(1)  = $$(patsubst generated/$(1)/%.c,$(B)/asan/repo/$(1)/gen/%.o,\
                       $$(filter-out %_sync.c,$$(wildcard generated/$(1)/*.c)))
REPO_TEST_OBJ_$(1) = $$(patsubst tests/repo/%.c,$(B)/asan/repo/$(1)/%.o,tests/repo/test_$(1).c $(REPO_SHARED) \
                       $$(if $$(filter $(1),$(REPO_MARKED)),tests/repo/marker.c))

$$(REPO_GEN_OBJ_$(1)): $(B)/asan/repo/$(1)/gen/%.o: generated/$(1)/%.c
	@mkdir -p $$(dir $$@)
	@echo "  CC+SAN  $$<"
	$$(Q)$$(CC) $$(REPO_CFLAGS) $$(REPO_CPPFLAGS) -Igenerated/$(1) -c -o $$@ $$<

$$(REPO_TEST_OBJ_$(1)): $(B)/asan/repo/$(1)/%.o: tests/repo/%.c
	@mkdir -p $$(dir $$@)
	@echo "  CC+SAN  $$< ($(1))"
	$$(Q)$$(CC) $$(REPO_CFLAGS) $$(REPO_CPPFLAGS) -Igenerated/$(1) -c -o $$@ $$<

$(B)/tests/repo/test_$(1): $$(REPO_TEST_OBJ_$(1)) $$(REPO_GEN_OBJ_$(1)) $(B)/asan/libwellosrt.a
	@mkdir -p $$(dir $$@)
	@echo "  LD      $$@"
	$$(Q)$$(CC) $$(SAN) -o $$@ $$(REPO_TEST_OBJ_$(1)) $$(REPO_GEN_OBJ_$(1)) $(B)/asan/libwellosrt.a -lcunit $$(WR_LIBS)
endef

$(foreach e,$(REPO_EXAMPLES),$(eval $(call REPO_EXAMPLE_RULES,$(e))))

# The Oracle tenant: its factory alone (and the shared helpers), which must
# refuse to open.
REPO_NS_OBJ = $(B)/asan/repo/north_sea_oracle/gen/repos.o \
              $(B)/asan/repo/north_sea_oracle/test_north_sea_oracle.o $(B)/asan/repo/north_sea_oracle/common.o

$(B)/asan/repo/north_sea_oracle/gen/repos.o: generated/north_sea_oracle/repos.c
	@mkdir -p $(dir $@)
	@echo "  CC+SAN  $<"
	$(Q)$(CC) $(REPO_CFLAGS) $(REPO_CPPFLAGS) -Igenerated/north_sea_oracle -c -o $@ $<

$(filter-out %/gen/repos.o,$(REPO_NS_OBJ)): $(B)/asan/repo/north_sea_oracle/%.o: tests/repo/%.c
	@mkdir -p $(dir $@)
	@echo "  CC+SAN  $< (north_sea_oracle)"
	$(Q)$(CC) $(REPO_CFLAGS) $(REPO_CPPFLAGS) -Igenerated/north_sea_oracle -c -o $@ $<

$(B)/tests/repo/test_north_sea_oracle: $(REPO_NS_OBJ) $(B)/asan/libwellosrt.a
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(CC) $(SAN) -o $@ $(REPO_NS_OBJ) $(B)/asan/libwellosrt.a -lcunit $(WR_LIBS)

.PHONY: repo-test repo-test-build
repo-test-build: $(REPO_BINS)

# Starts private PostgreSQL and MariaDB servers for the run, stops them after.
repo-test: $(REPO_BINS) wellosc $(B)/libwellosrt.a
	bash tests/repo/run.sh $(B)/tests/repo
