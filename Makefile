# The quick start is two commands, `make demo` and `make test`; each installs what it needs:
# Go modules through the Go toolchain, moto into a local virtualenv (.venv).
SHELL := /bin/bash
GO ?= go
PYTHON ?= python3
VENV := .venv
MOTO_VERSION := 5.2.5
SAM_CLI_VERSION := 1.170.0
CFN_LINT_VERSION := 1.58.0
CHECKOV_VERSION := 3.3.30
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
BIN := bin
export MOTO_SERVER := $(CURDIR)/$(VENV)/bin/moto_server
export AWS_EC2_METADATA_DISABLED := true
export SAM_CLI_TELEMETRY := 0

.PHONY: all build demo emulator emulator-org test unit fuzz lint fmt-check vet staticcheck tidy-check template-check venv clean bench bench-org build-handlerchild \
	build-AuditorFunction build-PlannerFunction build-ScannerFunction build-JoinFunction

all: build

# One virtualenv holds the Python tools: moto (the emulator), SAM CLI and cfn-lint. checkov pins
# boto3 to one exact version and SAM CLI to another, so it has a virtualenv of its own inside
# .venv. The stamp names the versions, so changing one reinstalls.
CHECKOV_VENV := $(VENV)/checkov
VENV_STAMP := $(VENV)/.installed-moto$(MOTO_VERSION)-sam$(SAM_CLI_VERSION)-cfnlint$(CFN_LINT_VERSION)-checkov$(CHECKOV_VERSION)
$(VENV_STAMP):
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check \
		"moto[server]==$(MOTO_VERSION)" "aws-sam-cli==$(SAM_CLI_VERSION)" "cfn-lint==$(CFN_LINT_VERSION)"
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/pip install --quiet --disable-pip-version-check "checkov==$(CHECKOV_VERSION)"
	touch $@

venv: $(VENV_STAMP)

build:
	$(GO) build -trimpath -buildvcs=auto -o $(BIN)/driftaudit ./cmd/driftaudit

## demo: start the emulator, seed a sample account with every drift, audit it
demo: venv build
	$(GO) run ./internal/demo -driftaudit $(BIN)/driftaudit

## emulator: run moto behind the shim until Ctrl-C, to try driftaudit by hand
emulator: venv build
	$(GO) run ./internal/emulator

## emulator-org: the same, with a small organization seeded (four members, one member role denied)
emulator-org: venv build
	$(GO) run ./internal/emulator -org

## test: every test (unit, scenario against moto, CLI end to end) and every lint
test: venv lint template-check unit fuzz

unit: venv
	$(GO) test -race -count=1 ./...

## fuzz: run each fuzz target for $(FUZZTIME) after its seeds (testdata/fuzz); Go fuzzes one target per run
FUZZTIME ?= 4s
fuzz:
	$(GO) test -run='^$$' -fuzz='^FuzzParseEvent$$' -fuzztime=$(FUZZTIME) ./pkg/nightly
	$(GO) test -run='^$$' -fuzz='^FuzzLoadConfig$$' -fuzztime=$(FUZZTIME) ./pkg/nightly
	$(GO) test -run='^$$' -fuzz='^FuzzParseSuppressions$$' -fuzztime=$(FUZZTIME) ./pkg/suppress
	$(GO) test -run='^$$' -fuzz='^FuzzDecodeInventory$$' -fuzztime=$(FUZZTIME) ./pkg/inventory
	$(GO) test -run='^$$' -fuzz='^FuzzStageDrift$$' -fuzztime=$(FUZZTIME) ./pkg/checks
	$(GO) test -run='^$$' -fuzz='^FuzzParseRequest$$' -fuzztime=$(FUZZTIME) ./pkg/explain
	$(GO) test -run='^$$' -fuzz='^FuzzPartialReads$$' -fuzztime=15s ./pkg/audit

lint: fmt-check vet staticcheck tidy-check

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go'; git ls-files --others --exclude-standard '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

staticcheck:
	$(GO) run $(STATICCHECK) ./...

tidy-check:
	@$(GO) mod tidy -diff || { echo "go.mod/go.sum are not tidy: run go mod tidy"; exit 1; }

## template-check: sam validate --lint, cfn-lint, checkov (both modes, and deploy/member-role.yaml) and sam build (offline once modules are cached)
# checkov reads .checkov.yaml (CloudFormation framework, which covers SAM resources; no download);
# its justified skips sit on the resources in template.yaml. No update check against PyPI either.
# checkov leaves out the resources whose Condition is false with the parameters' defaults, that is
# organization mode's: a second run checks them on a copy whose Mode defaults to organization,
# together with deploy/member-role.yaml.
# sam build runs make here (--build-in-source) rather than copying the tree, .venv included, first.
template-check: venv
	$(VENV)/bin/sam validate --lint --template template.yaml --region us-east-1
	$(VENV)/bin/cfn-lint template.yaml deploy/member-role.yaml
	CKV_SKIP_PACKAGE_UPDATE_CHECK=true BC_SKIP_MAPPING=TRUE $(CHECKOV_VENV)/bin/checkov --config-file .checkov.yaml --quiet
	mkdir -p .aws-sam/org-mode
	sed 's/^    Default: account$$/    Default: organization/' template.yaml > .aws-sam/org-mode/template.yaml
	grep -q '^    Default: organization$$' .aws-sam/org-mode/template.yaml
	CKV_SKIP_PACKAGE_UPDATE_CHECK=true BC_SKIP_MAPPING=TRUE $(CHECKOV_VENV)/bin/checkov --config-file .checkov.yaml --quiet \
		--file .aws-sam/org-mode/template.yaml deploy/member-role.yaml
	$(VENV)/bin/sam build --build-in-source --template template.yaml --build-dir .aws-sam/build
	@ls -l .aws-sam/build/AuditorFunction/bootstrap .aws-sam/build/PlannerFunction/bootstrap \
		.aws-sam/build/ScannerFunction/bootstrap .aws-sam/build/JoinFunction/bootstrap

clean:
	rm -rf $(BIN) $(VENV) .aws-sam

## build-AuditorFunction: what `sam build` runs (BuildMethod: makefile) to build the Lambda
build-AuditorFunction:
	CGO_ENABLED=0 GOOS=linux GOARCH=arm64 $(GO) build -tags lambda.norpc -trimpath -ldflags="-s -w" -o $(ARTIFACTS_DIR)/bootstrap ./functions/auditor
	if [ -f deploy/suppressions.yaml ]; then cp deploy/suppressions.yaml $(ARTIFACTS_DIR)/suppressions.yaml; fi

## build-PlannerFunction, build-ScannerFunction, build-JoinFunction: organization mode's functions, the same binary
build-PlannerFunction build-ScannerFunction build-JoinFunction: build-AuditorFunction

## bench: seed accounts of 50, 200 and 600 APIs and scan each at API Gateway's quotas x$(BENCH_SCALE);
## then peak memory of the CLI and of the Lambda handler (GOMEMLIMIT as deployed) on synthetic heavy accounts
BENCH_SCALE ?= 20
BENCH_SIZES ?= 50,200,600
BENCH_SHAPES ?= heavy,600x60,600x60/public
BENCH_TIMEOUT ?= 10m
bench: venv build build-handlerchild
	$(GO) run ./internal/benchcmd -n '$(BENCH_SIZES)' -scale $(BENCH_SCALE) -driftaudit $(BIN)/driftaudit \
		-synthetic '$(BENCH_SHAPES)' -handler $(BIN)/handlerchild -timeout $(BENCH_TIMEOUT)

## bench-org: seed an organization of 40 accounts x 2 regions x 20 APIs and scan it (--organization) with the
## quotas per account and region at 20, 1, 0.5 and 0.25 times their speed (BENCH_ORG_SCALES), 8 and 40 accounts in flight; then
## project the nightly organization mode to 1,000 accounts x 4 regions
BENCH_ORG_MEMBERS ?= 39
BENCH_ORG_APIS ?= 20
BENCH_ORG_SCALES ?= $(BENCH_SCALE),1,0.5,0.25
BENCH_ORG_IN_FLIGHT ?= 8,40
bench-org: venv build
	$(GO) run ./internal/benchorg -members $(BENCH_ORG_MEMBERS) -apis $(BENCH_ORG_APIS) -scale '$(BENCH_ORG_SCALES)' \
		-in-flight '$(BENCH_ORG_IN_FLIGHT)' -driftaudit $(BIN)/driftaudit

# The handler child is built as the function is (build-AuditorFunction), for this machine.
build-handlerchild:
	CGO_ENABLED=0 $(GO) build -tags lambda.norpc -trimpath -ldflags="-s -w" -o $(BIN)/handlerchild ./internal/benchcmd/handlerchild
