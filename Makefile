# gapd: make run starts the server, make test proves it. Needs Go and gcc (cgo, for SQLite).
GO       ?= go
DATA     ?= ./data
ADDR     ?= 127.0.0.1:8080
BIN      := bin/gapd

.PHONY: all generate check-generated build run test bench fuzz seed-check tools-check

all: build

## generate: compile spec/ into generated/
generate:
	$(GO) run ./generator -spec spec -out generated

## check-generated: fail if generated/ differs from what the spec produces
check-generated:
	$(GO) run ./generator -spec spec -out generated -check

## build: the gapd binary
build: tools-check
	$(GO) build -o $(BIN) .

## run: start the server on an embedded SQLite database under ./data
run: build
	./$(BIN) -addr $(ADDR) -data $(DATA)

## test: regenerate, fail on drift, vet, and run every test
test: tools-check
	$(GO) run ./generator -spec spec -out generated
	@git diff --quiet --exit-code -- generated 2>/dev/null || { \
	  echo "generated/ differs from what the spec produces (committed copy is stale):"; git --no-pager diff --stat -- generated; exit 1; }
	@untracked=$$(git ls-files --others --exclude-standard -- generated 2>/dev/null); \
	  if [ -n "$$untracked" ]; then echo "generated/ has files not committed: $$untracked"; exit 1; fi
	$(GO) vet ./...
	$(GO) test -count=1 ./...

## bench: benchmarks (speed and memory targets are checked here, never in timed tests)
bench: tools-check
	$(GO) test -run '^$$' -bench . -benchmem ./...

## fuzz: a short run of every fuzz target
fuzz: tools-check
	@for t in $$($(GO) test -list 'Fuzz.*' ./... | grep ^Fuzz); do :; done
	$(GO) test -run '^$$' -fuzz FuzzDecodeFrame -fuzztime 20s ./wire
	$(GO) test -run '^$$' -fuzz FuzzValidators -fuzztime 20s ./spectest

## seed-check: the catalogue in spec/ agrees with the seed document
seed-check:
	$(GO) run ./tools/seedimport -check

# tools-check says exactly what is missing instead of failing obscurely.
tools-check:
	@command -v $(GO) >/dev/null 2>&1 || { echo "missing: Go (https://go.dev/dl/) — install Go 1.24 or newer"; exit 1; }
	@command -v gcc >/dev/null 2>&1 || command -v cc >/dev/null 2>&1 || { echo "missing: a C compiler (gcc) for cgo/SQLite — e.g. apt-get install gcc"; exit 1; }
