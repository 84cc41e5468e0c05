#!/usr/bin/env bash
# Runs the README's test command while CPU hogs oversubscribe the machine
# (FACTOR busy loops per core, 4 by default), to show that no test depends
# on the machine's speed: waits end on progress, not on fixed deadlines.
#
#	internal/stress.sh            # the default suite
#	SIGNALS_LONG_TESTS=1 internal/stress.sh   # with the long tests, as CI
set -euo pipefail
cd "$(dirname "$0")/.."
factor=${FACTOR:-4}
hogs=$(( $(nproc) * factor - $(nproc) ))
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; }
trap cleanup EXIT
for _ in $(seq 1 "$hogs"); do
	( while :; do :; done ) &
	pids+=($!)
done
echo "stress: $hogs CPU hogs on $(nproc) cores ($factor× oversubscribed)"
start=$(date +%s)
status=0
go run ./internal/testall "$@" || status=$?
echo "stress: the test command exited $status after $(( $(date +%s) - start )) s"
exit "$status"
