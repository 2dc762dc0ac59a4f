#!/usr/bin/env bash
# dedup-scaling.sh measures `wiretrace dedup` throughput at several core
# counts on one synthetic corpus, and prints articles/s, peak RSS and the
# speed-up over one core.
#
#   tools/dedup-scaling.sh                       # defaults below
#   N=100000 LEVELS=reuse PROCS="1 2 4 8 16" tools/dedup-scaling.sh
#
# Environment:
#   N        articles to synthesise (default 100000)
#   LEVELS   dedup levels to run (default "near-dup reuse")
#   PROCS    GOMAXPROCS values (default "1 2 4 8 16")
#   SOURCES  JSONL files to synthesise from (default: $WIRETRACE_SHARED/data,
#            ../shared/data, else engine/testdata/mixed.jsonl)
#   DIR      scratch directory (default: a new one under ${TMPDIR:-/tmp})
#   MEM      --mem for every run (default 2GB)
#
# Run it from the repository root. Each run starts afresh (--fresh); the
# corpus is generated once (tools/dedupgen, deterministic).
set -euo pipefail

N=${N:-100000}
LEVELS=${LEVELS:-"near-dup reuse"}
PROCS=${PROCS:-"1 2 4 8 16"}
MEM=${MEM:-2GB}
DIR=${DIR:-$(mktemp -d "${TMPDIR:-/tmp}/dedup-scaling.XXXXXX")}
mkdir -p "$DIR"

if [[ -z "${SOURCES:-}" ]]; then
	for d in "${WIRETRACE_SHARED:-}" ../shared shared; do
		if [[ -n "$d" && -d "$d/data" ]] && compgen -G "$d/data/*.jsonl" >/dev/null; then
			SOURCES=$(echo "$d"/data/*.jsonl)
			break
		fi
	done
	SOURCES=${SOURCES:-engine/testdata/mixed.jsonl}
fi

echo "# building into $DIR" >&2
go build -o "$DIR/wiretrace" ./cmd/wiretrace
go build -o "$DIR/dedupgen" ./tools/dedupgen
if [[ ! -s "$DIR/corpus-$N.jsonl" ]]; then
	echo "# synthesising $N articles from $SOURCES" >&2
	# shellcheck disable=SC2086
	"$DIR/dedupgen" -n "$N" -o "$DIR/corpus-$N.jsonl" $SOURCES
fi
corpus="$DIR/corpus-$N.jsonl"
bytes=$(stat -c %s "$corpus")
echo "# corpus: $N articles, $bytes bytes; $(nproc) cores; $(uname -srm)"

timer=()
if [[ -x /usr/bin/time ]]; then
	timer=(/usr/bin/time -f "%e %M" -o "$DIR/time.txt")
fi

printf "%-9s %5s %9s %12s %8s %10s %8s\n" level procs seconds articles/s MB/s peak_MiB speedup
for level in $LEVELS; do
	base=""
	for p in $PROCS; do
		out="$DIR/out-$level-$p"
		start=$(date +%s.%N)
		GOMAXPROCS=$p "${timer[@]}" "$DIR/wiretrace" dedup -q --fresh --level "$level" --workers "$p" --mem "$MEM" \
			-o "$out" "$corpus" >"$DIR/summary-$level-$p.txt" || [[ $? == 3 ]]
		end=$(date +%s.%N)
		secs=$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')
		rss="-"
		if [[ -s "$DIR/time.txt" ]]; then
			read -r _ kb <"$DIR/time.txt"
			rss=$((kb / 1024))
		fi
		rate=$(awk -v n="$N" -v s="$secs" 'BEGIN { print n / s }')
		mbs=$(awk -v n="$bytes" -v s="$secs" 'BEGIN { print n / s / 1e6 }')
		if [[ -z "$base" ]]; then base=$rate; fi
		printf "%-9s %5d %9.1f %12.0f %8.1f %10s %8.2f\n" "$level" "$p" "$secs" "$rate" "$mbs" "$rss" \
			"$(awk -v r="$rate" -v b="$base" 'BEGIN { print r / b }')"
		rm -rf "$out.work"
	done
done
