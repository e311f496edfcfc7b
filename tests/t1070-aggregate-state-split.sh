#!/bin/sh
# aggregate --state: a stream cut anywhere into runs that each go on from
# the state of the one before, the last with --final, writes exactly the
# bytes of one run over the whole stream: open windows, late events, the
# (other) overflow, several widths, --expire, events held as a wrong
# clock, undated events, forwarded records and --merge.
. "$(dirname "$0")/lib.sh"

# split_check NAME FILE "OPTIONS" P...: FILE cut after lines P... (in
# ascending order) and run in pieces equals one run over FILE.
split_check() {
	_name=$1 _file=$2 _opts=$3
	shift 3
	# shellcheck disable=SC2086
	aggregate $_opts <"$_file" >"$T/whole" 2>/dev/null || true
	rm -f "$T/S" "$T/joined"
	_from=1 _bad=
	for _p in "$@" end; do
		if [ "$_p" = end ]; then
			tail -n +"$_from" "$_file" >"$T/piece"
			_fin=--final
		else
			sed -n "${_from},${_p}p" "$_file" >"$T/piece"
			_from=$((_p + 1))
			_fin=
		fi
		_rc=0
		# shellcheck disable=SC2086
		aggregate $_opts --state "$T/S" $_fin <"$T/piece" >>"$T/joined" \
		    2>"$T/err" || _rc=$?
		[ "$_rc" -eq 0 ] || [ -n "${ANY_RC:-}" ] ||
		    _bad="exit $_rc after $_p: $(head -n 1 "$T/err")"
	done
	if [ -z "$_bad" ] && cmp -s "$T/joined" "$T/whole"; then
		ok 0 "$_name: cut after $*"
	else
		ok 1 "$_name: cut after $*"
		diag "$_bad"
		diff "$T/whole" "$T/joined" | head -10 | diag_stream
	fi
}

# One every 37 events comes 400 events late (some past --lateness), one
# every 101 again without its time, a record of another type every 500.
mix() {
	awk '
	NR % 37 == 0 { held[NR + 400] = $0; next }
	{ print }
	NR % 101 == 0 { x = $0; sub(/"timestamp":"[^"]*",/, "", x); print x }
	NR % 500 == 0 { printf "{\"type\":\"marker\",\"n\":%d}\n", NR }
	(NR in held) { print held[NR]; delete held[NR] }'
}

inject --scenario recovery --seed 5 --hours 1 --degrade-at 20m \
    --start 2026-11-26T10:00:00Z >"$T/plain.jsonl"
inject --scenario service-wide --seed 3 --hours 0.5 \
    --start 2026-11-26T10:00:00Z | mix >"$T/mixed.jsonl"
n=$(lines "$T/plain.jsonl")
m=$(lines "$T/mixed.jsonl")

# The inputs do what they are for.
aggregate --windows 1m,5m --max-keys 5 --expire 2m "$T/mixed.jsonl" >"$T/w" 2>"$T/e"
has "$T/e" "late events counted as 'late'" "the mixed input has late events"
has "$T/w" '"key":"\(other\)"' "and, with --max-keys 5, an (other) series"
has "$T/w" '"type":"marker"' "and records to forward"

# A run with --state and without --final writes no window still open.
aggregate --state "$T/S1" "$T/plain.jsonl" >"$T/o1"
hasnt "$T/o1" '"partial":true' "without --final, no partial window is written"
is "$(lines "$T/o1")" "$(( $(aggregate "$T/plain.jsonl" | grep -vc '"partial":true') ))" \
    "but every window that closed"

split_check "default options" "$T/plain.jsonl" "" $((n / 2))
split_check "default options" "$T/plain.jsonl" "" 1
split_check "default options" "$T/plain.jsonl" "" 2
split_check "default options" "$T/plain.jsonl" "" $((n - 1))
split_check "default options" "$T/plain.jsonl" "" "$n"
split_check "default options, 5 runs" "$T/plain.jsonl" "" \
    $((n / 7)) $((n / 3)) $((n / 2)) $((n * 6 / 7))
for p in $((m / 9)) $((m / 3)) $((m / 2 + 17)) $((m - 5)); do
	split_check "late, (other), 1m+5m, --expire 2m" "$T/mixed.jsonl" \
	    "--windows 1m,5m --max-keys 5 --expire 2m" "$p"
done
split_check "10s,1m,15m, --lateness 30s, --emit-sketch, 3 runs" \
    "$T/mixed.jsonl" "--windows 10s,1m,15m --lateness 30s --emit-sketch" \
    $((m / 4)) $((m * 3 / 4))
split_check "--no-normalize --no-forward --max-ahead 0" "$T/mixed.jsonl" \
    "--no-normalize --no-forward --max-ahead 0 --expire 0" $((m / 3))

# Every inject scenario, cut somewhere in the degradation.
inject --list | awk '$1 == "scenario" { print $2 }' >"$T/scenarios"
ok "$([ "$(lines "$T/scenarios")" -ge 9 ] && echo 0 || echo 1)" "inject knows its 9 scenarios or more"
i=0
while read -r sc; do
	i=$((i + 1))
	inject --scenario "$sc" --seed "$i" --hours 0.5 --degrade-at 10m \
	    --start 2026-11-26T10:00:00Z >"$T/sc.jsonl"
	c=$(lines "$T/sc.jsonl")
	split_check "scenario $sc, 1m+5m" "$T/sc.jsonl" "--windows 1m,5m" \
	    $((c * (i + 3) / 14))
done <"$T/scenarios"

# Every cut of a stream with events held as a wrong clock: one from 2099
# refused, then a jump of the whole stream released.
ev() {	# ev TIME [ENDPOINT]
	printf '{"timestamp":"%s","endpoint":"%s","status_code":200,"latency_ms":10}\n' \
	    "$1" "${2:-/a}"
}
{
	ev 2026-11-26T10:00:01Z; ev 2026-11-26T10:00:30Z /b
	ev 2099-01-01T00:00:00Z /x
	ev 2026-11-26T10:01:05Z; ev 2026-11-26T10:01:10Z
	ev 2026-11-26T14:00:00Z /c; ev 2026-11-26T14:00:20Z
	ev 2026-11-26T14:00:40Z /c; ev 2026-11-26T14:01:10Z
} >"$T/clock.jsonl"
aggregate "$T/clock.jsonl" >/dev/null 2>"$T/e"
has "$T/e" "1 event refused" "the clock input has an event refused"
for p in 1 2 3 4 5 6 7 8; do
	split_check "held events" "$T/clock.jsonl" "" "$p"
done
# (A run of line 4 alone exits 1: the one line it read refused the event
# held before it, and lib/reader counts a line whose handling reported a
# bad line as not usable; a run with no usable line failed.)
ANY_RC=1
split_check "held events, 1 line a run" "$T/clock.jsonl" "" 1 2 3 4 5 6 7 8
ANY_RC=

# An access log with a line from 2099 that is not UTF-8, held across
# the cut: kept byte for byte, refused by the next run at its own line.
awk 'BEGIN {
	for (i = 0; i < 1200; i++) {
		s = i / 2
		printf "10.0.0.%d - - [26/Nov/2026:14:%02d:%02d +0000] \"GET /api/orders/%d HTTP/1.1\" %d %d \"-\" \"curl/8.0\" 0.%03d 0.%03d\n", i % 7, int(s / 60), int(s) % 60, i % 13, (i % 31 == 0) ? 503 : 200, 100 + i, 10 + i % 90, 9 + i % 90
		if (i == 600)
			printf "10.0.0.1 - - [26/Nov/2099:14:00:00 +0000] \"GET /x HTTP/1.1\" 200 1 \"-\" \"ag\377\376nt\" 0.010 0.010\n"
	}
}' >"$T/ng.log"
for p in 601 602 603; do
	split_check "nginx log, a held line not UTF-8" "$T/ng.log" \
	    "--format nginx --service shop" "$p"
done
head -n 602 "$T/ng.log" | aggregate --format nginx --service shop --state "$T/Sng" >/dev/null
has "$T/Sng" '"held":\[\{"t":[0-9]+,"file":"stdin","line":602,"hex":"' \
    "the state holds the held line, in hex"
tail -n +603 "$T/ng.log" | aggregate --format nginx --service shop --state "$T/Sng" 2>"$T/e" >/dev/null
has "$T/e" "^aggregate: stdin:602: event time 2099-11-26T14:00:00.000Z is more than 1h ahead" \
    "the held line is refused by the next run at its place in the run that read it"

# --merge holds every window until the end: its state holds them too.
awk 'NR % 3 == 0' "$T/plain.jsonl" | aggregate --emit-sketch >"$T/wa"
awk 'NR % 3 != 0' "$T/plain.jsonl" | aggregate --emit-sketch >"$T/wb"
cat "$T/wa" "$T/wb" >"$T/parts"
k=$(lines "$T/parts")
split_check "--merge" "$T/parts" "--merge" $((k / 2))
split_check "--merge --emit-sketch, 3 runs" "$T/parts" "--merge --emit-sketch" \
    1 $((k * 2 / 3))

# SIGTERM stops a run as the end of the input does: the state is saved,
# and the run after it goes on.
head -n $((n / 2)) "$T/plain.jsonl" >"$T/h1"
tail -n +$((n / 2 + 1)) "$T/plain.jsonl" >"$T/h2"
rm -f "$T/Seof" "$T/Sterm"
aggregate --state "$T/Seof" "$T/h1" >"$T/eof.out"
rm -f "$T/fifo"; mkfifo "$T/fifo"
aggregate --state "$T/Sterm" <"$T/fifo" >"$T/term.out" 2>"$T/term.err" &
pid=$!
exec 3>"$T/fifo"
wait_caught "$pid"
cat "$T/h1" >&3
# SIGTERM once it has read all of it and waits for more (it would stop
# at the line in hand, leaving the rest of what it read unread).
size=$(wc -c <"$T/h1")
i=0
until [ "$(sed -n 's/^rchar: //p' "/proc/$pid/io")" -ge "$size" ] &&
    [ "$(awk '{ print $3 }' "/proc/$pid/stat")" = S ]; do
	i=$((i + 1)); [ $i -lt 400 ] || break; sleep 0.1
done
kill -TERM "$pid"
rc=0; wait "$pid" || rc=$?
exec 3>&-
is "$rc" 0 "SIGTERM: exit 0"
same "$T/Sterm" "$T/Seof" "SIGTERM saves the state that the end of the input saves"
aggregate --state "$T/Sterm" --final "$T/h2" >>"$T/term.out"
aggregate "$T/plain.jsonl" >"$T/whole"
same "$T/term.out" "$T/whole" "and the run after it finishes the stream"

# kill -9 in the middle of a run leaves the state of the run before it;
# the run fed again the same input finishes the stream as one run would.
cp "$T/Seof" "$T/Skill"
rm -f "$T/fifo"; mkfifo "$T/fifo"
aggregate --state "$T/Skill" <"$T/fifo" >"$T/killed.out" 2>/dev/null &
pid=$!
exec 3>"$T/fifo"
head -n $((n / 4)) "$T/h2" >&3
i=0
until [ -s "$T/killed.out" ]; do
	i=$((i + 1)); [ $i -lt 200 ] || break; sleep 0.1
done
kill -KILL "$pid"
wait "$pid" 2>/dev/null || true
exec 3>&-
ok "$([ -s "$T/killed.out" ] && echo 0 || echo 1)" "kill -9: the killed run had written windows"
same "$T/Skill" "$T/Seof" "kill -9: the state is that of the run before"
cat "$T/eof.out" >"$T/restart.out"
aggregate --state "$T/Skill" --final "$T/h2" >>"$T/restart.out"
same "$T/restart.out" "$T/whole" "kill -9: the run fed again finishes the stream as one run"
done_testing
