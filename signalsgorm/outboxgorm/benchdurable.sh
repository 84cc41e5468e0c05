#!/bin/sh
# benchdurable.sh [BASE] [ROUNDS] [BENCH] [BENCHTIME]: BenchmarkDurableEmbedded before
# and after, in one interleaved run on this machine. BASE (default main) is
# extracted with git archive into a temporary directory and given this
# tree's bench_test.go (the benchmark uses only the outbox's public API, so
# it runs on earlier releases; a BASE from before the outbox had a package of
# its own gets testdata/bench_before_outboxgorm.go.txt, the same benchmark
# against the API of the time, in signalsgorm/); then ROUNDS (default 3) rounds run the
# benchmark on BASE and on this tree in turn. Needs the databases of
# internal/dbtest (PostgreSQL and MariaDB are skipped when unreachable).
set -eu
base=${1:-main}
rounds=${2:-3}
bench=${3:-DurableEmbedded}
benchtime=${4:-200x}
here=$(cd "$(dirname "$0")" && pwd)
root=$(git -C "$here" rev-parse --show-toplevel)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git -C "$root" archive "$base" | tar -x -C "$tmp"
if [ -d "$tmp/signalsgorm/outboxgorm" ]; then
	cp "$here/bench_test.go" "$tmp/signalsgorm/outboxgorm/bench_test.go"
	before="$tmp/signalsgorm/outboxgorm"
else
	cp "$here/testdata/bench_before_outboxgorm.go.txt" "$tmp/signalsgorm/bench_before_outboxgorm_test.go"
	before="$tmp/signalsgorm"
fi
echo "before: $base ($(git -C "$root" rev-parse --short "$base")), after: $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet || echo ' + changes')"
i=1
while [ "$i" -le "$rounds" ]; do
	(cd "$before" && go test -run '^$' -bench "$bench" -benchtime "$benchtime" -count 1 .) | grep '^Benchmark' | sed 's/^/before /'
	(cd "$here" && go test -run '^$' -bench "$bench" -benchtime "$benchtime" -count 1 .) | grep '^Benchmark' | sed 's/^/after  /'
	i=$((i + 1))
done
