# tests/sqlcheck/sqlcheck.mk - syntax-check every generated T-SQL and
# PL/SQL statement with the ANTLR grammars of those dialects (npm package
# antlr4ts-sql, versions pinned in tests/sqlcheck/package-lock.json).
# Included by the top Makefile; until it is:
#     make sql-check
#
# A syntax check only: no SQL Server or Oracle server runs here.  First the
# self-test proves that the checker rejects broken statements (and each
# generated statement with one ')' removed), then the check reads
# generated/ and fails on any syntax error.  Needs node and npm
# (tests/install-deps.sh sqlcheck); npm ci runs only when node_modules is
# missing, so later runs need no network.

SQLCHECK_DIR = tests/sqlcheck
SQLCHECK_DEPS = $(SQLCHECK_DIR)/node_modules/antlr4ts-sql/package.json

$(SQLCHECK_DEPS):
	@echo "  NPM     $(SQLCHECK_DIR) (npm ci)"
	$(Q)cd $(SQLCHECK_DIR) && npm ci --no-audit --no-fund

.PHONY: sql-check sql-check-self-test
sql-check-self-test: $(SQLCHECK_DEPS)
	$(Q)mkdir -p $(B)
	$(Q)node $(SQLCHECK_DIR)/check.js --self-test > $(B)/sql-check-self-test.log 2>&1 || \
	    { cat $(B)/sql-check-self-test.log; exit 1; }
	$(Q)tail -n 2 $(B)/sql-check-self-test.log

sql-check: sql-check-self-test
	$(Q)node $(SQLCHECK_DIR)/check.js
