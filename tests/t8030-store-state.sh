#!/bin/sh
# State on the backend: detect --state store:NAME and correlate --state
# store:NAME keep their state in the configured backend.  detect killed
# with SIGKILL halfway and restarted on the whole input writes the same
# signals as an uninterrupted run from its last checkpoint on, and the
# alerts of the two runs are the same.  The memory backend keeps nothing
# across a restart, as documented.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/servers.sh"
servers_trap

inject --scenario recovery --seed 5 --hours 2 --degrade-at 40m --start 2026-11-26T10:00:00Z |
    aggregate >"$T/w"
half=$(($(lines "$T/w") / 2))
head -n "$half" "$T/w" >"$T/w1"
detect --no-watermark "$T/w" >"$T/all"
correlate --no-forward "$T/all" >"$T/alerts.all"
ok "$([ -s "$T/alerts.all" ] && echo 0 || echo 1)" "the uninterrupted run alerts ($(lines "$T/alerts.all") records)"

redis_start
pg_start
for b in sqlite redis timescale; do
	backend_env "$b"
	# SIGKILL after the first half, with checkpoints every 100 windows.
	rm -f "$T/fifo"; mkfifo "$T/fifo"
	detect --no-watermark --state store:detect --state-every 100 <"$T/fifo" >"$T/killed" 2>"$T/killed.err" &
	pid=$!
	exec 3>"$T/fifo"
	cat "$T/w1" >&3
	i=0
	until store stats 2>/dev/null | grep -q .; do
		i=$((i + 1)); [ $i -lt 100 ] || break; sleep 0.1
	done
	sleep 1
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null || true
	exec 3>&-

	run detect --no-watermark --state store:detect "$T/w"
	is_rc 0 "$b: restart after SIGKILL exits 0"
	has "$ERR" "windows? not newer than the last of (its|their) series skipped" \
	    "$b: the checkpointed windows came back from the backend and are skipped"
	n=$(lines "$OUT")
	ok "$([ "$n" -gt 0 ] && [ "$n" -lt "$(lines "$T/all")" ] && echo 0 || echo 1)" \
	    "$b: the restart writes the later signals only ($n lines)"
	tail -n "$n" "$T/all" >"$T/tail"
	same "$OUT" "$T/tail" "$b: they equal the uninterrupted run's from the restart point on"
	head -n "$(($(lines "$T/all") - n))" "$T/all" | cat - "$OUT" >"$T/joined"
	run correlate --no-forward "$T/joined"
	same "$OUT" "$T/alerts.all" "$b: and the alerts equal the uninterrupted run's"

	# correlate's open incidents survive a restart in the backend too.
	sig_half=$(($(lines "$T/all") / 2))
	head -n "$sig_half" "$T/all" >"$T/s1"
	tail -n +"$((sig_half + 1))" "$T/all" >"$T/s2"
	correlate --no-forward --state store:correlate "$T/s1" >"$T/c1"
	correlate --no-forward --state store:correlate "$T/s2" >"$T/c2"
	cat "$T/c1" "$T/c2" >"$T/c"
	same "$T/c" "$T/alerts.all" "$b: correlate in two runs with --state store:correlate alerts as one"
done

# memory: state lives as long as the process, so a restart starts afresh.
backend_env memory
run detect --no-watermark --state store:detect "$T/w1"
run detect --no-watermark --state store:detect "$T/w"
same "$OUT" "$T/all" "memory: nothing survives, the restart learns from zero"
hasnt "$ERR" "skipped" "memory: no window is skipped"
done_testing
