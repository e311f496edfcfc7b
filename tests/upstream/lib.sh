# tests/upstream/lib.sh - the web side of the access-log tests: a node
# upstream with known delays (http.js), free loopback ports, wrk with a
# known request mix (mix.lua), and the figures each of them reports.
# Source after tests/lib.sh; upstream_trap stops what was started.
#
#	upstream_trap
#	upstream_start			# sets UPORT
#	...start nginx or haproxy in front of 127.0.0.1:$UPORT...
#	wrk_mix URL 2s			# wrk's figures in $T/wrk.out
#	upstream_stop			# its figures in $T/upstream.figures

UPSTREAM_DIR=$TOP/tests/upstream
UPID=""
WEB_PIDS=""

upstream_trap() {
	trap '_rc=$?; web_stop_all; rm -rf "$T"; exit $_rc' EXIT
	trap 'exit 1' INT TERM HUP PIPE
}

# wait_port PORT PID: until something answers TCP on PORT (10 s), or PID dies.
wait_port() {
	_i=0
	while [ $_i -lt 200 ]; do
		_hex=$(printf '%04X' "$1")
		grep -q ":$_hex 00000000:0000 0A" /proc/net/tcp 2>/dev/null && return 0
		kill -0 "$2" 2>/dev/null || return 1
		sleep 0.05
		_i=$((_i + 1))
	done
	return 1
}

# web_started PID: remember a server to stop on exit.
web_started() { WEB_PIDS="$WEB_PIDS $1"; }

web_stop_all() {
	for _p in $WEB_PIDS; do
		kill "$_p" 2>/dev/null || true
		wait "$_p" 2>/dev/null || true
	done
	WEB_PIDS=""
}

upstream_start() {
	_tries=0
	while [ $_tries -lt 5 ]; do
		UPORT=$(free_port)
		node "$UPSTREAM_DIR/http.js" "$UPORT" "$T/upstream.figures" \
		    >"$T/upstream.out" 2>"$T/upstream.err" &
		UPID=$!
		if wait_port "$UPORT" "$UPID"; then
			web_started "$UPID"
			return 0
		fi
		kill "$UPID" 2>/dev/null || true
		_tries=$((_tries + 1))
	done
	echo "# the upstream would not start:" >&2
	sed 's/^/#   /' "$T/upstream.err" >&2
	return 1
}

# upstream_stop: SIGTERM makes it write its figures.
upstream_stop() {
	kill -TERM "$UPID" 2>/dev/null || true
	wait "$UPID" 2>/dev/null || true
}

# wrk_mix URL DURATION: two threads, eight connections, on loopback.
wrk_mix() {
	wrk -t2 -c8 -d"$2" --timeout 5s -s "$UPSTREAM_DIR/mix.lua" "$1" \
	    >"$T/wrk.out" 2>&1
}

# wrk_status CODE: responses of that status wrk counted (0 if none).
wrk_status() {
	awk -v c="$1" '$1 == "status" && $2 == c { n = $3 } END { print n + 0 }' "$T/wrk.out"
}

wrk_completed() { awk '$1 == "completed" { print $2 }' "$T/wrk.out"; }

# upstream_count PATH [STATUS]: requests the upstream answered.
upstream_count() {
	awk -v p="$1" -v s="${2:-}" '$1 == p && (s == "" || $2 == s) { n++ } END { print n + 0 }' \
	    "$T/upstream.figures"
}

# upstream_pct PATH Q: the upstream's own Q-quantile (0..1) of PATH in ms,
# nearest rank.
upstream_pct() {
	awk -v p="$1" '$1 == p { print $3 }' "$T/upstream.figures" | sort -n |
	    awk -v q="$2" '{ v[NR] = $1 } END { r = int(q * NR + 0.999999); if (r < 1) r = 1; print v[r] }'
}

# within GOT LO HI: 0 when LO <= GOT <= HI (decimals allowed).
within() { awk -v g="$1" -v l="$2" -v h="$3" 'BEGIN { exit !(g >= l && g <= h) }'; }

# documented FORMAT: the configuration that slowburn-records(5) gives for
# an access-log format (the first literal block of its item), unescaped,
# so that the tests run what a user pastes.
documented() {
	awk -v f="$1" '
	$0 == ".It Cm " f { item = 1; next }
	item && /^\.It Cm / { exit }
	item && /^\.Bd -literal/ { lit = 1; next }
	lit && /^\.Ed/ { exit }
	lit { gsub(/\\e/, "\\"); print }' "$TOP/man/slowburn-records.5"
}
