# tests/deploy/deploy.mk - the manifests gen writes to run an etl tenant's
# agent: Kubernetes ones validated against Kubernetes' schema (npm packages
# yaml and kubernetes-models, pinned in tests/deploy/package-lock.json),
# systemd units by systemd-analyze verify.  Included by the top Makefile:
#     make deploy-check
# Needs node, npm and systemd-analyze (tests/install-deps.sh deploy); npm ci
# runs only when node_modules is missing.

DEPLOY_DIR  = tests/deploy
DEPLOY_DEPS = $(DEPLOY_DIR)/node_modules/kubernetes-models/package.json

$(DEPLOY_DEPS):
	@echo "  NPM     $(DEPLOY_DIR) (npm ci)"
	$(Q)cd $(DEPLOY_DIR) && npm ci --no-audit --no-fund

.PHONY: deploy-check
deploy-check: wellosc $(DEPLOY_DEPS)
	bash $(DEPLOY_DIR)/run.sh ./wellosc
