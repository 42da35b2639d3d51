# The quick start is two commands, `make demo` and `make test`; each installs what it needs:
# Go modules through the Go toolchain, moto into a local virtualenv (.venv).
SHELL := /bin/bash
GO ?= go
PYTHON ?= python3
VENV := .venv
MOTO_VERSION := 5.2.5
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
BIN := bin
export MOTO_SERVER := $(CURDIR)/$(VENV)/bin/moto_server
export AWS_EC2_METADATA_DISABLED := true

.PHONY: all build demo emulator test unit lint fmt-check vet staticcheck tidy-check venv clean

all: build

$(VENV)/bin/moto_server:
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check "moto[server]==$(MOTO_VERSION)"

venv: $(VENV)/bin/moto_server

build:
	$(GO) build -trimpath -o $(BIN)/driftaudit ./cmd/driftaudit

## demo: start the emulator, seed a sample account with every drift, audit it
demo: venv build
	$(GO) run ./internal/demo -driftaudit $(BIN)/driftaudit

## emulator: run moto behind the shim until Ctrl-C, to try driftaudit by hand
emulator: venv build
	$(GO) run ./internal/emulator

## test: every test (unit, scenario against moto, CLI end to end) and every lint
test: venv lint unit

unit: venv
	$(GO) test -race -count=1 ./...

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

clean:
	rm -rf $(BIN) $(VENV)

## build-AuditorFunction: what `sam build` runs (BuildMethod: makefile) to build the Lambda
build-AuditorFunction:
	CGO_ENABLED=0 GOOS=linux GOARCH=arm64 $(GO) build -tags lambda.norpc -trimpath -ldflags="-s -w" -o $(ARTIFACTS_DIR)/bootstrap ./functions/auditor
