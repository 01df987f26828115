# tests/tds/tds.mk - the SQL Server adapter against FreeTDS.  Included by the
# top Makefile; until it is:
#     make tds-link
#     make mssql-live
#
# tds-link   compiles every .c of generated/rio_grande_mssql (the SQL Server
#            adapter tenant) and tests/tds/live_mssql.c with -Werror, links
#            them with libwellosrt.a and FreeTDS (-lsybdb, in WR_LIBS) into
#            $(B)/tests/tds/live_mssql, and checks that the program really
#            calls into libsybdb.  No server is needed.
# mssql-live runs that program against a real SQL Server when
#            WELLOS_TEST_MSSQL_DSN is set (a scratch database: the program
#            drops and re-creates dbo.WellHeader and dbo.DailyVolumes), then
#            `wellosc introspect` on those tables and `wellosc check
#            --schema` of the spec against the snapshot; otherwise it prints
#            one line saying it was skipped.

TDS_GEN_DIR  = generated/rio_grande_mssql
TDS_OUT      = $(B)/tests/tds
TDS_CFLAGS   = -std=c11 -Wall -Wextra -Werror -Iruntime -I$(TDS_GEN_DIR)
TDS_GEN_SRC  = $(wildcard $(TDS_GEN_DIR)/*.c)
TDS_OBJ      = $(TDS_GEN_SRC:$(TDS_GEN_DIR)/%.c=$(TDS_OUT)/gen/%.o) $(TDS_OUT)/live_mssql.o
TDS_LIVE_BIN = $(TDS_OUT)/live_mssql

$(TDS_OUT)/gen/%.o: $(TDS_GEN_DIR)/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(TDS_CFLAGS) $(CFLAGS) $(DEPFLAGS) -c -o $@ $<

$(TDS_OUT)/live_mssql.o: tests/tds/live_mssql.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(TDS_CFLAGS) $(CFLAGS) $(DEPFLAGS) -c -o $@ $<

$(TDS_LIVE_BIN): $(TDS_OBJ) $(B)/libwellosrt.a
	@echo "  LD      $@"
	$(Q)$(CC) $(CFLAGS) -o $@ $(TDS_OBJ) $(B)/libwellosrt.a $(WR_LIBS)

.PHONY: tds-link mssql-live
# It must import db-lib's entry points (dbopen is a macro for tdsdbopen),
# and every symbol must resolve at load time (LD_BIND_NOW; the program
# then stops at its usage message, status 2, without touching a server).
tds-link: $(TDS_LIVE_BIN)
	$(Q)for sym in dbinit tdsdbopen dbrpcinit dbrpcparam dbrpcsend dbsqlok dbresults dbnextrow; do \
	    nm -D --undefined-only $(TDS_LIVE_BIN) | grep -qw "$$sym" || \
	        { echo "tds-link: $(TDS_LIVE_BIN) does not call FreeTDS's $$sym"; exit 1; }; \
	done
	$(Q)LD_BIND_NOW=1 $(TDS_LIVE_BIN) >/dev/null 2>&1; st=$$?; [ $$st -eq 2 ] || \
	    { echo "tds-link: $(TDS_LIVE_BIN) did not load (status $$st)"; exit 1; }
	@echo "tds-link: $(words $(TDS_GEN_SRC)) generated files of $(TDS_GEN_DIR) and live_mssql.c compiled" \
	      "(-std=c11 -Wall -Wextra -Werror) and linked with libwellosrt.a and FreeTDS:" \
	      "$(TDS_LIVE_BIN) ($$(ldd $(TDS_LIVE_BIN) | awk '/libsybdb/ { print $$3; exit }'))"

# The prerequisite only when there is a server, so that a skip prints
# nothing but its one line.
mssql-live: $(if $(WELLOS_TEST_MSSQL_DSN),$(TDS_LIVE_BIN) wellosc $(B)/wellos-introspect)
	@if [ -z "$$WELLOS_TEST_MSSQL_DSN" ]; then \
	    echo "mssql-live: skipped: no SQL Server (set WELLOS_TEST_MSSQL_DSN to run it)"; \
	else \
	    RIO_GRANDE_DSN="$$WELLOS_TEST_MSSQL_DSN" $(TDS_LIVE_BIN) $(TDS_GEN_DIR)/rio_grande_schema.sql && \
	    RIO_GRANDE_DSN="$$WELLOS_TEST_MSSQL_DSN" ./wellosc introspect -o $(TDS_OUT)/rio_grande.schema.json \
	        examples/rio_grande_mssql.wmap && \
	    ./wellosc check --schema $(TDS_OUT)/rio_grande.schema.json examples/rio_grande_mssql.wmap && \
	    echo "mssql-live: introspect read the generated tables, and the spec matches them"; \
	fi
