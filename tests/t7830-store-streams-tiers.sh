#!/bin/sh
# t7830-store-streams-tiers: a service too busy for one worker is split
# by series key: tier 1 (store xadd --by key) runs aggregate | detect a
# shard, its merge goes on to tier 2 by service (watermarks to every
# shard), where correlate | explain run; the alerts are still those of
# scripts/pipeline, byte for byte.
. "$(dirname "$0")/lib.sh"
. "$FIX/streams-lib.sh"

command -v redis-server >/dev/null || { echo "1..0 # SKIP no redis-server"; exit 0; }
rs_start 1
rs_start 2
U="$RS_URL_1,$RS_URL_2"

# tiers N1 N2 PREFIX FILE: N1 shards by key, N2 by service; alerts in $OUT
tiers() {
	o1="--shards $U --streams $1 --prefix $3a:"
	u2=$U
	[ "$2" -gt 1 ] || u2=$RS_URL_2
	o2="--shards $u2 --streams $2 --prefix $3b:"
	RC=0
	store xadd $o1 --by key "$4" 2>"$ERR" || RC=$?
	w=""
	k=0
	while [ $k -lt "$1" ]; do
		sh -c "store xread $o1 --shard $k --drain | aggregate | detect |
		    store xadd $o1 --out $k --drain" 2>>"$ERR" &
		w="$w $!"
		k=$((k + 1))
	done
	store xread $o1 --merge --drain 2>>"$ERR" | store xadd $o2 --drain \
	    2>>"$ERR" || RC=$?
	k=0
	while [ $k -lt "$2" ]; do
		sh -c "store xread $o2 --shard $k | correlate | explain |
		    store xadd $o2 --out $k --drain" 2>>"$ERR" &
		w="$w $!"
		k=$((k + 1))
	done
	for p in $w; do wait "$p" || RC=$?; done
	store xread $o2 --merge --drain 2>>"$ERR" | alert --format json >"$OUT" ||
	    RC=$?
}

inject --scenario service-wide --seed 11 --hours 2 --degrade-at 80m \
    --start 2026-11-26T10:00:00Z -o "$T/sw.jsonl" 2>/dev/null
inject --scenario error-creep --seed 5 --hours 2 --degrade-at 80m \
    --start 2026-11-26T10:00:00Z -o "$T/a.jsonl" 2>/dev/null
sort -m "$T/a.jsonl" "$T/sw.jsonl" >"$T/two.jsonl"
n=0
for f in sw two; do
	"$TOP/scripts/pipeline" --json "$T/$f.jsonl" >"$T/$f.single"
	c=$(grep -c '"type":"alert"' "$T/$f.single" || true)
	ok "$([ "$c" -ge 1 ] && echo 0 || echo 1)" "$f: the single pipeline alerts ($c)"
	for shape in "3 2" "4 1" "2 3"; do
		n=$((n + 1))
		set -- $shape
		tiers "$1" "$2" "p$n" "$T/$f.jsonl"
		is "$RC" 0 "$f, $1 key shards then $2 service shards: every stage exits 0"
		same "$OUT" "$T/$f.single" "$f, $1 key shards then $2 service shards: the alerts of scripts/pipeline"
	done
done

# The payments service's keys were split over the key shards, and its
# incident (in "two") still came out whole.
for k in 0 1 2; do
	store xread --shards "$U" --streams 3 --prefix p4a: --shard $k --drain \
	    --consumer again 2>/dev/null | jq -r 'select(.service == "payments") | .endpoint' |
	    sed 's/[0-9][0-9]*/{id}/g' | sort -u | wc -l
done >"$T/split"
is "$(awk '$1 > 0' "$T/split" | wc -l | tr -d ' ')" 2 "one service's keys are on two key shards"
store xstats --shards "$U" --streams 3 --prefix p4a: >"$T/stats"
is "$(jq -s '[.[] | select(.group) | .backlog + .pending] | add' "$T/stats")" 0 \
    "nothing unread or pending in tier 1"
done_testing
