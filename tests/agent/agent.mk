# tests/agent/agent.mk - the sync engine (runtime/wr_agent.c, wr_sync.c,
# wr_copy.c, wr_log.c) against real servers, through a hand-written agent
# (tests/agent/hand_spec.c) until the compiler generates them.  Built with
# ASan+UBSan.  Run it with:
#
#   make agent-engine-test

AGENT_TEST_BIN = $(B)/tests/agent/wellos-sync-toy
AGENT_TEST_OBJ = $(B)/asan/tests/agent/hand_spec.o

.PHONY: agent-engine-test

$(AGENT_TEST_OBJ): tests/agent/hand_spec.c runtime/wr.h
	@mkdir -p $(dir $@)
	@echo "  CC+SAN  $<"
	$(Q)$(CC) $(WARN) $(RT_CPPFLAGS) -O1 -g $(SAN) $(DEPFLAGS) -c -o $@ $<

$(AGENT_TEST_BIN): $(AGENT_TEST_OBJ) $(B)/asan/libwellosrt.a
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(CC) $(SAN) -o $@ $(AGENT_TEST_OBJ) $(B)/asan/libwellosrt.a $(WR_LIBS)

agent-engine-test: $(AGENT_TEST_BIN)
	bash tests/agent/run.sh $(AGENT_TEST_BIN)
