#!/bin/sh
# t1110-aggregate-nginx: a real nginx, started here on a free loopback
# port in front of a local upstream with known delays and statuses, is
# loaded with wrk.  Its own access logs, the combined format with
# $request_time $upstream_response_time and the escape=json format of
# slowburn-records(5), go through aggregate --format; the counts, the
# status codes and the latency percentiles agree with wrk's and the
# upstream's figures.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/upstream/lib.sh"
upstream_trap

NGINX=$(command -v nginx 2>/dev/null || echo /usr/sbin/nginx)
N=$T/nginx
mkdir -p "$N/logs" "$N/tmp"

# The log formats are what slowburn-records(5) says to paste, verbatim.
nginx_conf() {
	cat <<CONF
$( [ "$(id -u)" -eq 0 ] && echo "user root;" )
worker_processes 1;
daemon off;
pid $N/nginx.pid;
error_log $N/logs/error.log warn;
events { worker_connections 256; }
http {
	client_body_temp_path $N/tmp/body;
	proxy_temp_path $N/tmp/proxy;
	fastcgi_temp_path $N/tmp/fastcgi;
	uwsgi_temp_path $N/tmp/uwsgi;
	scgi_temp_path $N/tmp/scgi;
$(documented nginx | sed "s|/var/log/nginx/|$N/logs/|")
$(documented nginx-json | sed "s|/var/log/nginx/|$N/logs/|")
	server {
		listen 127.0.0.1:$1;
		location /api/ {
			proxy_pass http://127.0.0.1:$UPORT;
		}
		location = /missing {
			return 404;
		}
	}
}
CONF
}

nginx_start() {
	_tries=0
	while [ $_tries -lt 5 ]; do
		NPORT=$(free_port)
		nginx_conf "$NPORT" >"$N/nginx.conf"
		"$NGINX" -p "$N" -c "$N/nginx.conf" -e "$N/logs/error.log" \
		    >"$N/stdout" 2>&1 &
		NPID=$!
		if wait_port "$NPORT" "$NPID"; then
			web_started "$NPID"
			return 0
		fi
		kill "$NPID" 2>/dev/null || true
		wait "$NPID" 2>/dev/null || true
		_tries=$((_tries + 1))
	done
	echo "# nginx would not start:" >&2
	sed 's/^/#   /' "$N/logs/error.log" "$N/stdout" >&2
	return 1
}

upstream_start
nginx_start
wrk_mix "http://127.0.0.1:$NPORT" 2s
# A graceful stop: every request in flight is finished and logged.
kill -QUIT "$NPID"
wait "$NPID" 2>/dev/null || true
upstream_stop

completed=$(wrk_completed)
lines=$(lines "$N/logs/access.log")
diag "wrk: $completed responses; nginx logged $lines; upstream answered $(lines "$T/upstream.figures")"
ok "$([ "$completed" -gt 200 ] && echo 0 || echo 1)" "wrk got enough responses to measure ($completed)"

run aggregate --format nginx -w 1d "$N/logs/access.log"
is_rc 0 "aggregate --format nginx: exit 0"
is "$(cat "$ERR")" "" "no line of nginx's own log is bad"
cp "$OUT" "$T/windows"

# sum KEY FIELD: the total of a count over the windows of KEY
sum() { jq -s --arg k "$1" "map(select(.key == \$k) | $2 // 0) | add // 0" "$T/windows"; }
# pct KEY Q: the percentile of the one window of KEY
pct() { jq -r --arg k "$1" "select(.key == \$k and .count > 0) | .latency_ms.$2" "$T/windows"; }

total=$(jq -s 'map(.count) | add' "$T/windows")
is "$total" "$lines" "every logged request is counted once"
# wrk stops with up to 8 requests in flight: nginx logs those (499) too.
ok "$([ "$total" -ge "$completed" ] && [ "$total" -le $((completed + 8)) ] && echo 0 || echo 1)" \
    "the count agrees with wrk's ($total vs $completed, at most 8 in flight)"

# "codes" holds the 4xx and 5xx; the rest of "count" is 2xx here.
for code in 200 404 503; do
	if [ $code = 200 ]; then
		got=$(jq -s 'map(.count - ([.codes // {} | .[]] | add // 0)) | add' "$T/windows")
	else
		got=$(jq -s "map(.codes[\"$code\"] // 0) | add" "$T/windows")
	fi
	want=$(wrk_status $code)
	ok "$([ "$got" -ge "$want" ] && [ "$got" -le $((want + 8)) ] && echo 0 || echo 1)" \
	    "status $code: $got in the windows, $want seen by wrk"
done
is "$(sum "GET /missing" .client_errors)" "$(sum "GET /missing" .count)" \
    "nginx's own 404s are client errors of their key"
up503=$(upstream_count /api/err 503)
got503=$(sum "GET /api/err" .errors)
ok "$([ "$got503" -ge $((up503 - 8)) ] && [ "$got503" -le $((up503 + 8)) ] && echo 0 || echo 1)" \
    "GET /api/err: $got503 errors, the upstream sent $up503 503s"
upord=$(upstream_count /api/orders/17)
upord=$((upord + $(upstream_count /api/orders/42)))
gotord=$(sum "GET /api/orders/{id}" .count)
ok "$([ "$gotord" -ge $((upord - 8)) ] && [ "$gotord" -le $((upord + 8)) ] && echo 0 || echo 1)" \
    "/api/orders/17 and /42 are one normalised key: $gotord, upstream $upord"

# Latency: \$upstream_response_time, nginx's view of the upstream, is the
# upstream's own time plus the proxy hop: never less, a little more.
for path in /api/fast /api/slow /api/err; do
	for q in 50 90; do
		up=$(upstream_pct $path 0.$q)
		got=$(pct "GET $path" p$q)
		slack=$([ $q = 50 ] && echo 15 || echo 40)
		ok "$(within "$got" "$(awk -v u="$up" 'BEGIN { print u * 0.99 - 2 }')" \
		    "$(awk -v u="$up" -v s="$slack" 'BEGIN { print u * 1.01 + s }')" && echo 0 || echo 1)" \
		    "GET $path p$q: $got ms, the upstream's own p$q $up ms"
	done
done
delay_ok=$(within "$(pct "GET /api/slow" p50)" 49 200 && echo 0 || echo 1)
ok "$delay_ok" "GET /api/slow p50 reflects the upstream's 50 ms delay"
# nginx answers /missing itself: no upstream, so \$request_time, ~0.
ok "$(within "$(pct "GET /missing" p90)" 0 20 && echo 0 || echo 1)" \
    "GET /missing (no upstream): \$request_time, near 0 ms"

# The JSON log of the same requests makes the very same windows.
run aggregate --format nginx-json -w 1d "$N/logs/access.json"
is_rc 0 "aggregate --format nginx-json: exit 0"
is "$(cat "$ERR")" "" "no line of nginx's JSON log is bad"
same "$OUT" "$T/windows" "the escape=json log gives the same windows as the combined one"

# The default combined format has no latency: every line is a bad line,
# said once per line, never silently dropped.
sed 's/ [0-9.]* [-0-9., :]*$//' "$N/logs/access.log" >"$T/combined.log"
run aggregate --format nginx "$T/combined.log"
is_rc 1 "plain combined: exit 1, not one line was usable (issue 12)"
has "$ERR" "^aggregate: $T/combined.log:1: no '\\\$request_time' after the combined fields" \
    "plain combined: told to add \$request_time"
has "$ERR" "^aggregate: $lines bad lines skipped of $lines read\$" "and every line is counted as bad"
is "$(lines "$OUT")" 0 "no window from lines without a latency"

done_testing
