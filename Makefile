# The quick start is two commands: `make demo` and `make test`. Each installs what it needs.
SHELL := /bin/bash
GO ?= go
PYTHON ?= python3
VENV := .venv
MOTO_VERSION := 5.2.5
STATICCHECK_VERSION := v0.8.2
BIN := bin
export MOTO_SERVER := $(CURDIR)/$(VENV)/bin/moto_server

.PHONY: all build demo test unit lint fmt-check vet staticcheck tidy-check bench clean

all: build

$(VENV)/bin/moto_server:
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check "moto[server]==$(MOTO_VERSION)"

venv: $(VENV)/bin/moto_server

build:
	$(GO) build -o $(BIN)/driftaudit ./cmd/driftaudit

demo: venv build
	$(GO) run ./internal/demo -driftaudit $(BIN)/driftaudit

test: venv lint unit

unit: venv
	$(GO) test -count=1 ./...

lint: fmt-check vet staticcheck tidy-check

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go'; git ls-files --others --exclude-standard '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

staticcheck:
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) ./...

tidy-check:
	@cp go.mod /tmp/driftaudit-go.mod.bak; cp go.sum /tmp/driftaudit-go.sum.bak; \
	$(GO) mod tidy; \
	if ! git diff --quiet -- go.mod go.sum; then echo "go mod tidy changed go.mod/go.sum: commit the tidy result"; git --no-pager diff -- go.mod go.sum; exit 1; fi

clean:
	rm -rf $(BIN) $(VENV)
