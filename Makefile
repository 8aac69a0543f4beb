# gapd: make run starts the server, make test proves it. Needs Go and gcc (cgo, for SQLite).
GO       ?= go
DATA     ?= ./data
ADDR     ?= 127.0.0.1:8080
BIN      := bin/gapd

.PHONY: all generate check-generated build run cluster test test-postgres bench bench-go bench-load bench-postgres fuzz seed-check tools-check

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

## cluster: PostgreSQL, NATS and two gapd nodes (ws://127.0.0.1:8080/ and :8081/) on one
## machine, as a cluster runs; data under ./cluster-data; Ctrl-C stops them all
cluster: build
	$(GO) run ./tools/cluster -gapd $(BIN)

## test: fail if generated/ differs from what the spec produces, vet, run every test on
## SQLite, then the storage, handler, server and end-to-end tests again on a throw-away
## PostgreSQL (tools/pgtmp; without PostgreSQL installed it says how to install it,
## and under CI=true that is a failure), and the end-to-end tests once more spread over
## two nodes on that PostgreSQL and one NATS (GAPD_TEST_NODES=2)
PG_TESTS := ./storage/... ./handlers/... ./server/... ./fileproc/... ./e2e/...

test: tools-check
	$(GO) run ./generator -spec spec -out generated -check
	$(GO) vet ./...
	$(GO) test -count=1 ./...
	$(MAKE) --no-print-directory test-postgres

## test-postgres: only the PostgreSQL half of make test
test-postgres: tools-check
	$(GO) run ./tools/pgtmp -- sh -c '$(GO) test -count=1 $(PG_TESTS) && GAPD_TEST_NODES=2 $(GO) test -count=1 ./e2e/...'

## bench: Go benchmarks, then the load generator's standard set, then chat and group on
## PostgreSQL (speed and memory targets are checked here, never in timed tests); results
## go in BENCHMARKS.md
bench: bench-go bench-load bench-postgres

## bench-go: the Go benchmarks only
bench-go: tools-check
	$(GO) test -run '^$$' -bench . -benchmem ./...

## bench-load: gapd under load over loopback WebSocket, beside bare gws, SQLite and disk references
bench-load: build
	$(GO) run ./tools/loadgen -gapd $(BIN) $(LOADGEN_FLAGS)

## bench-postgres: the chat and group scenarios on SQLite and on a throw-away PostgreSQL
## with fsync on (tools/pgtmp -durable; without PostgreSQL installed it says how to install
## it), with one gapd node and with two joined by NATS, beside bare SQLite and PostgreSQL
## insert loops; e.g. LOADGEN_FLAGS="-pairs 100 -d 10s"
bench-postgres: build
	$(GO) run ./tools/pgtmp -durable -- $(GO) run ./tools/loadgen -gapd $(BIN) -scenarios chat,group -backends sqlite,postgres $(LOADGEN_FLAGS)

## fuzz: a short run of every fuzz target (a count budget: Go 1.26 can fail spuriously at a time budget's end)
fuzz: tools-check
	$(GO) test -run '^$$' -fuzz FuzzDecodeFrame -fuzztime 500000x ./wire
	$(GO) test -run '^$$' -fuzz FuzzValidators -fuzztime 200000x ./spectest
	$(GO) test -run '^$$' -fuzz FuzzUnmasker -fuzztime 20000x ./server
	$(GO) test -run '^$$' -fuzz FuzzOpen -fuzztime 200000x ./securing

## seed-check: the catalogue in spec/ agrees with the seed document
seed-check:
	$(GO) run ./tools/seedimport -check

# tools-check says exactly what is missing instead of failing obscurely.
tools-check:
	@command -v $(GO) >/dev/null 2>&1 || { echo "missing: Go (https://go.dev/dl/) — install Go 1.24 or newer"; exit 1; }
	@command -v gcc >/dev/null 2>&1 || command -v cc >/dev/null 2>&1 || { echo "missing: a C compiler (gcc) for cgo/SQLite — e.g. apt-get install gcc"; exit 1; }
