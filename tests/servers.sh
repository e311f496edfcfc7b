# tests/servers.sh - private database servers for the storage tests:
# a redis-server on a free port and a PostgreSQL cluster (initdb) on a
# Unix socket, both in the test's temp dir $T, stopped on exit however
# the test ends.  Source after tests/lib.sh:
#
#	. "$(dirname "$0")/servers.sh"
#	servers_trap
#	redis_start		# sets REDIS_URL (exported)
#	pg_start		# sets TIMESCALE_CONNECTION_STRING (exported)
#	redis_restart; pg_restart; redis_stop; pg_stop
#
# As root, PostgreSQL (which refuses to run as root) runs as the user
# postgres, and $T is opened up so that it can reach its directory.

REDIS_SERVER=$(command -v redis-server 2>/dev/null || true)
PG_BIN=$(pg_config --bindir 2>/dev/null || true)
[ -x "$PG_BIN/initdb" ] || PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "${PG_BIN:-/nonexistent}/initdb" ] || PG_BIN=""
REDIS_PID=""
REDIS_PORT=""
PG_DIR=""
PG_RUNNING=0

servers_trap() {
	trap '_rc=$?; [ $_rc -eq 0 ] || _servers_diag $_rc; servers_stop; rm -rf "$T"' EXIT
	trap 'exit 1' INT TERM HUP PIPE
}

# A script that dies under set -e says so, with the servers' last words.
_servers_diag() {
	echo "# stopped with status $1 after test $_n"
	for _log in "$T/redis/log" "$T/pg/log"; do
		[ -s "$_log" ] && tail -n 3 "$_log" | sed "s|^|# ${_log##*/}: |"
	done
	return 0
}

servers_stop() {
	redis_stop
	pg_stop
}

have_redis() { [ -n "$REDIS_SERVER" ]; }
have_pg() { [ -n "$PG_BIN" ]; }

# redis_start: a fresh server with an append-only file, so that a
# restart keeps what was acknowledged.
redis_start() {
	mkdir -p "$T/redis"
	_tries=0
	while :; do
		[ -n "$REDIS_PORT" ] || REDIS_PORT=$(free_port)
		"$REDIS_SERVER" --port "$REDIS_PORT" --bind 127.0.0.1 \
		    --dir "$T/redis" --appendonly yes --appendfsync everysec \
		    --save "" --daemonize no --loglevel warning \
		    >>"$T/redis/log" 2>&1 3>&- 4>&- 5>&- &
		REDIS_PID=$!
		_i=0
		while [ $_i -lt 100 ]; do
			if redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then
				REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0
				export REDIS_URL
				return 0
			fi
			kill -0 "$REDIS_PID" 2>/dev/null || break
			sleep 0.05
			_i=$((_i + 1))
		done
		kill "$REDIS_PID" 2>/dev/null || true
		REDIS_PID=""
		_tries=$((_tries + 1))
		[ $_tries -lt 5 ] || { echo "# redis-server would not start" >&2; return 1; }
		REDIS_PORT=""	# probably taken: another one
	done
}

redis_stop() {
	[ -n "$REDIS_PID" ] || return 0
	redis-cli -p "$REDIS_PORT" shutdown >/dev/null 2>&1 || kill "$REDIS_PID" 2>/dev/null || true
	wait "$REDIS_PID" 2>/dev/null || true
	REDIS_PID=""
}

# redis_restart: the same port and data, a new process.
redis_restart() {
	redis_stop
	redis_start
}

_as_pg() {
	if [ "$(id -u)" -eq 0 ]; then
		if command -v runuser >/dev/null 2>&1; then
			runuser -u postgres -- "$@"
		else
			su postgres -s /bin/sh -c '"$0" "$@"' "$@"
		fi
	else
		"$@"
	fi
}

# pg_start: initdb (once per test) and start; connections go through
# the socket in $T/pg, so no port is ever shared with another cluster.
pg_start() {
	PG_DIR=$T/pg
	if [ ! -d "$PG_DIR/data" ]; then
		mkdir -p "$PG_DIR"
		if [ "$(id -u)" -eq 0 ]; then
			chmod 755 "$T"
			chown postgres "$PG_DIR"
		fi
		_as_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres \
		    --auth=trust -E UTF8 --locale=C >"$PG_DIR/initdb.log" 2>&1 || {
			echo "# initdb failed:" >&2; sed 's/^/#   /' "$PG_DIR/initdb.log" >&2
			return 1; }
	fi
	# fsync off: the tests do not cut the power, and it saves seconds.
	_as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w -t 30 \
	    -o "-k $PG_DIR -c listen_addresses= -c fsync=off -p 5432" \
	    start >/dev/null 2>&1 3>&- 4>&- 5>&- || {
		echo "# pg_ctl start failed:" >&2; tail -5 "$PG_DIR/log" | sed 's/^/#   /' >&2
		return 1; }
	PG_RUNNING=1
	TIMESCALE_CONNECTION_STRING="host=$PG_DIR port=5432 dbname=postgres user=postgres"
	export TIMESCALE_CONNECTION_STRING
}

pg_stop() {
	[ "$PG_RUNNING" -eq 1 ] || return 0
	_as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
	PG_RUNNING=0
}

pg_restart() {
	pg_stop
	pg_start
}

# psql_q SQL: one query against the private cluster, unaligned.
psql_q() {
	_as_pg "$PG_BIN/psql" -h "$PG_DIR" -p 5432 -U postgres -d postgres \
	    -X -A -t -q -c "$1"
}

# backend_env NAME: the environment that points the store at NAME.
backend_env() {
	STORAGE_BACKEND=$1
	export STORAGE_BACKEND
	case $1 in
	sqlite)	SQLITE_DB_PATH=$T/sqlite.db; export SQLITE_DB_PATH ;;
	redis)	REDIS_KEY_PREFIX="sbtest:"; export REDIS_KEY_PREFIX ;;
	esac
}
