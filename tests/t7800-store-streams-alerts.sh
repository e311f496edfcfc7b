#!/bin/sh
# t7800-store-streams-alerts: the sharded flow on Redis Streams (store
# xadd, a drained worker a shard, store xread --merge | alert) writes
# byte for byte the alerts of the single-process scripts/pipeline on the
# same events: 1, 2 and 3 shards, on 1 and 2 redis-servers, for the
# inject scenarios, the service-wide one included, and for two incidents
# in two services at once.
. "$(dirname "$0")/lib.sh"
. "$FIX/streams-lib.sh"

command -v redis-server >/dev/null || { echo "1..0 # SKIP no redis-server"; exit 0; }
rs_start 1
rs_start 2

gen() {	# gen SCENARIO SEED: events in $T/SCENARIO.jsonl
	inject --scenario "$1" --seed "$2" --hours 2 --degrade-at 80m \
	    --start 2026-11-26T10:00:00Z -o "$T/$1.jsonl" 2>/dev/null
}

n=0
check() {	# check SCENARIO-FILE-BASENAME URLS STREAMS WHAT
	n=$((n + 1))
	sharded "$2" "$3" "s$n:" "$T/$1.jsonl"
	is "$RC" 0 "$1, $4: every stage exits 0"
	same "$OUT" "$T/$1.single" "$1, $4: the alerts of scripts/pipeline"
}

for sc in service-wide latency-ramp error-creep traffic-drop step recovery; do
	gen "$sc" 11
	"$TOP/scripts/pipeline" --json "$T/$sc.jsonl" >"$T/$sc.single"
	c=$(grep -c '"type":"alert"' "$T/$sc.single" || true)
	ok "$([ "$c" -ge 1 ] && echo 0 || echo 1)" "$sc: the single pipeline alerts ($c)"
	check "$sc" "$RS_URL_1,$RS_URL_2" 2 "2 shards on 2 servers"
	check "$sc" "$RS_URL_1,$RS_URL_2" 3 "3 shards on 2 servers"
done
for sc in service-wide error-creep; do
	check "$sc" "$RS_URL_1" 1 "1 shard on 1 server"
	check "$sc" "$RS_URL_1" 2 "2 shards on 1 server"
	check "$sc" "$RS_URL_2" 3 "3 shards on 1 server"
done

# Two services degrade at once: their alerts interleave in time and come
# from different shards; the merge puts them in the single order.
inject --scenario error-creep --seed 5 --hours 2 --degrade-at 80m \
    --start 2026-11-26T10:00:00Z -o "$T/a.jsonl" 2>/dev/null
inject --scenario service-wide --seed 6 --hours 2 --degrade-at 75m \
    --start 2026-11-26T10:00:00Z -o "$T/b.jsonl" 2>/dev/null
sort -m "$T/a.jsonl" "$T/b.jsonl" >"$T/two.jsonl"
"$TOP/scripts/pipeline" --json "$T/two.jsonl" >"$T/two.single"
svc=$(jq -r .service "$T/two.single" | sort -u | tr '\n' ' ')
is "$svc" "checkout payments " "two services alert in the single run"
check two "$RS_URL_1,$RS_URL_2" 2 "2 shards on 2 servers"
check two "$RS_URL_1,$RS_URL_2" 3 "3 shards on 2 servers"
three=$n
check two "$RS_URL_1" 1 "1 shard"

# Two service-wide incidents at the very same minutes, users and catalog,
# which three shards put on shards 0 and 1, the other order than their
# names: at equal times the merge writes the services in the order one
# correlate does (by name), not by shard.
inject --scenario service-wide --target users --seed 8 --hours 2 \
    --degrade-at 75m --start 2026-11-26T10:00:00Z -o "$T/c.jsonl" 2>/dev/null
inject --scenario service-wide --target catalog --seed 7 --hours 2 \
    --degrade-at 75m --start 2026-11-26T10:00:00Z -o "$T/d.jsonl" 2>/dev/null
sort -m "$T/c.jsonl" "$T/d.jsonl" >"$T/tie.jsonl"
"$TOP/scripts/pipeline" --json "$T/tie.jsonl" >"$T/tie.single"
ties=$(jq -r '[.at, .service] | @tsv' "$T/tie.single" | sort -u |
    awk '{ n[$1]++ } END { for (t in n) if (n[t] > 1) c++; print c + 0 }')
ok "$([ "$ties" -ge 1 ] && echo 0 || echo 1)" "two services alert at the same time ($ties minutes)"
check tie "$RS_URL_1,$RS_URL_2" 3 "3 shards on 2 servers"
check tie "$RS_URL_1" 3 "3 shards on 1 server"
tie=$n
for k in 0 1 2; do
	redis-cli -p "$RS_PORT_1" XRANGE "s$tie:out:$k" - + |
	    grep '^{"type":"alert"' | jq -r .service | sort -u | tr '\n' ' '
	echo
done >"$T/used"
is "$(cat "$T/used" | tr '\n' '|')" "users |catalog ||" "users' alerts come from shard 0, catalog's from shard 1"

# The shards are the services: each worker read only its own.
store xstats --shards "$RS_URL_1,$RS_URL_2" --streams 3 --prefix "s$three:" >"$T/stats"
is "$(jq -s '[.[] | select(.stream | test(":ev:")) | .length > 0] | all' "$T/stats")" true \
    "every event stream got events"
is "$(jq -s '[.[] | select(.group) | .backlog + .pending] | add' "$T/stats")" 0 \
    "nothing left unread or unacknowledged"
done_testing
