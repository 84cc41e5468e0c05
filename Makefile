# Every target loops over all modules of the workspace (go.work).
MODULES := $(shell go list -m -f '{{.Dir}}')
# The one test command, as in the README.
TEST := go run ./internal/testall

.PHONY: all build vet fmt test bench tidy ci compare instructions

all: build vet test

build:
	@for m in $(MODULES); do echo "== build $$m"; (cd $$m && go build ./...) || exit 1; done

vet:
	@for m in $(MODULES); do echo "== vet $$m"; (cd $$m && go vet ./...) || exit 1; done

fmt:
	@test -z "$$(gofmt -l .)" || { gofmt -l .; echo "gofmt needed"; exit 1; }

test:
	$(TEST)

# bench runs every benchmark once per module; BENCH selects, COUNT repeats.
BENCH ?= .
COUNT ?= 1
bench:
	@for m in $(MODULES); do echo "== bench $$m"; (cd $$m && go test -run '^$$' -bench '$(BENCH)' -benchmem -count $(COUNT) ./...) || exit 1; done

# tidy aligns every module's requirements on the workspace's (one version
# of each dependency), then checks the go.mod files are ready to tag
# (docs/releasing.md).
tidy:
	go work sync
	go run ./internal/release check

ci:
	.ci/run

# compare runs the comparative benchmarks against Django and the Go
# alternatives and writes benchmarks/RESULTS.md (a few minutes).
compare:
	cd benchmarks && go run ./cmd/compare

# instructions counts the instructions per operation under callgrind
# (valgrind) of GORM Create/Save/Delete with and without the plugin, the
# cascade and Send, with allocations beside; BASE=<git ref> adds the figures
# of that commit and the change (benchmarks/README.md; several minutes).
BASE ?=
instructions:
	cd benchmarks && go run ./cmd/instructions $(if $(BASE),-base $(BASE)) all
