#!/bin/sh
# Every command in the README's code blocks runs, as typed, in the order
# of the README, in one shell, as a new user would run them.
#
# The convention:
#
# - A code block is a run of lines indented by four spaces after a blank
#   line, or a ``` fence.  Each block is a list of commands: one line,
#   continued on the next while it ends in '\', '|', '&&' or '||'.
# - Every command runs in one bash session (so `export`, `&` and `$!`
#   carry over from one command to the next), in a fresh directory laid out
#   as the source tree is: scripts/ and examples/ copied, build/bin the
#   tools under test.  The session starts WITHOUT the tools on PATH and
#   without SB_BIN: the README's own `export PATH=...` line must do it.
#   Each command must exit 0 (for a pipeline, its last command), with its
#   standard input from /dev/null.
# - A block that holds no commands (records, the text of an explanation,
#   the layout of the tree) is listed in TEXT below with the reason; the
#   test checks that each listed block is still in the README and, for
#   records, that they are JSON.
# - A command that cannot run as typed is listed in SPECIAL below, with
#   what is done instead and why; the test fails on a listed command that
#   is no longer in the README.  The kinds:
#     skip      not run, with the reason
#     instead   the given command runs in its place
#     bounded   runs forever by design (it follows a file or serves): it
#               runs under `timeout N` and must still be running when the
#               time is up (status 124), with no error on stderr
#     serve     a server that runs until stopped, one simple command:
#               started in the background, the page given is fetched once
#               it listens and must match the pattern, then the server is
#               stopped with SIGTERM and must exit 0
# - Fixed addresses become private ones, and each of these rewrites must
#   still apply somewhere: ingestd's default port 8000 and dashboard's 5000
#   become free ports (`-p PORT` added after the program's name), the
#   webhook receiver's 9095 another, the Redis and PostgreSQL addresses
#   those of servers the test starts (tests/servers.sh).
# - EXPECT lists commands whose output must match a pattern: what the
#   README says they show.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/servers.sh"
servers_trap

README=${SB_README:-$TOP/README.md}
TAB=$(printf '\t')

# KIND<TAB>start of the command<TAB>argument<TAB>reason
SPECIAL="\
skip	make check		it runs the whole test suite, this test among them
skip	tail -n 0 -F /var/log/nginx/access.log | aggregate --format nginx		needs nginx's log and an Alertmanager: t1110 runs a real nginx through --format nginx, t6100 a real Alertmanager
instead	make demo	scripts/demo	make demo is scripts/deps, the build, then scripts/demo; the tools under test are built already
bounded	tail -n 0 -F data/raw_logs.jsonl | aggregate	5	follows the log until stopped
bounded	ingestd -o - | aggregate	5	serves until stopped
bounded	scripts/pipeline --json --state-dir data/state	5	follows the log until stopped
serve	dashboard	/	checkout GET /api/orders/\{id\}	serves until stopped"

# start of the block's first line<TAB>reason
TEXT="\
{\"timestamp\":\"2026-11-26T14:03:07.125Z\"	a record, not a command (checked to be JSON)
{\"type\":\"window\",\"key\":\"checkout GET /api/orders/{id}\"	a record, not a command (checked to be JSON)
p95 latency of checkout GET /api/orders/{id} rose	the text of an explanation, not a command
log_format slowburn	nginx configuration (t1110 pastes it from slowburn-records(5) into a real nginx)
lib/         libcommon.a	the layout of the tree, not a command"

# start of the command<TAB>extended regex its output (stdout and stderr) must match
EXPECT="\
make demo	fires 2 min|first alert .* 2 min
inject --scenario latency-ramp --hours 6	firing checkout GET /api/orders/\{id\}
scripts/pipeline data/raw_logs.jsonl	firing checkout GET /api/orders/\{id\}
scripts/backtest --truth truth.jsonl events.jsonl	recall
scripts/backtest --each	\"recall\"
perl examples/alertmanager-receiver.pl	^firing critical checkout GET /api/orders/\{id\}
alert silence add	^[0-9a-f]{8}\$
alert silence list	active .* key~/api/export # nightly export
timeout 40 ingestd	firing checkout GET /api/orders/\{id\}
scripts/pipeline --store data/raw_logs.jsonl	firing checkout GET /api/orders/\{id\}
store query --type alert --since 2026-11-25 | alert	firing checkout GET /api/orders/\{id\}
grep -h '^slowburn_records_in_total'	slowburn_records_in_total\{tool=\"detect\",kind=\"window\"\} [1-9]"

# pick_port TAKEN...: a random port that nothing listens on and that is
# not one of TAKEN.
pick_port() {
	while :; do
		_p=$(free_port)
		case " $* " in *" $_p "*) continue ;; esac
		ss -Htln "sport = :$_p" 2>/dev/null | grep -q . && continue
		echo "$_p"
		return
	done
}
redis_start
pg_start
P_INGEST=$(pick_port "$REDIS_PORT")
P_DASH=$(pick_port "$REDIS_PORT" "$P_INGEST")
P_HOOK=$(pick_port "$REDIS_PORT" "$P_INGEST" "$P_DASH")
PG_CONN="host=$PG_DIR port=5432 dbname=postgres user=postgres"

# name<TAB>sed expression: every one must change at least one command.
REWRITES="\
ingestd port	s/(^|[|;&(] *|timeout [0-9]+ )ingestd /\\1ingestd -p $P_INGEST /g; s/127\\.0\\.0\\.1:8000/127.0.0.1:$P_INGEST/g
dashboard port	s/(^|[|;&(] *|timeout [0-9]+ )dashboard( |\$)/\\1dashboard -p $P_DASH\\2/g; s/127\\.0\\.0\\.1:5000/127.0.0.1:$P_DASH/g
receiver port	s/alertmanager-receiver\\.pl 9095/alertmanager-receiver.pl $P_HOOK/g; s/127\\.0\\.0\\.1:9095/127.0.0.1:$P_HOOK/g
redis	s|redis://127\\.0\\.0\\.1:6379/0|$REDIS_URL|g
postgresql	s|host=/run/postgresql dbname=slowburn|$PG_CONN|g"

printf '%s\n' "$SPECIAL" >"$T/special"
printf '%s\n' "$TEXT" >"$T/text"
printf '%s\n' "$EXPECT" >"$T/expect"
printf '%s\n' "$REWRITES" >"$T/rewrites"

# --- the blocks of the README, and the commands in them ---------------
B=$T/blocks
mkdir -p "$B"
awk -v dir="$B" '
	function flush() {
		while (nl > 0 && buf[nl] ~ /^[ \t]*$/) nl--
		if (nl > 0) {
			n++
			for (i = 1; i <= nl; i++) print buf[i] > (dir "/" n)
			close(dir "/" n)
			print start > (dir "/" n ".line"); close(dir "/" n ".line")
		}
		nl = 0; incode = 0
	}
	/^```/ {
		if (fence) { fence = 0; flush(); next }
		flush(); fence = 1; start = NR + 1; next
	}
	fence { buf[++nl] = $0; next }
	incode && (/^    / || /^[ \t]*$/) { buf[++nl] = substr($0, 5); next }
	incode { flush() }
	/^    / && prev ~ /^[ \t]*$/ { incode = 1; start = NR; buf[++nl] = substr($0, 5) }
	{ prev = $0 }
	END { flush() }
' "$README"
nblocks=$(ls "$B" | grep -c '^[0-9]*$' || true)
_r=0; [ "$nblocks" -gt 0 ] || _r=$?; ok $_r "README.md has code blocks ($nblocks)"

# text_reason FIRSTLINE: the reason when the block is listed in TEXT
text_reason() {
	while IFS="$TAB" read -r _pre _why; do
		case $1 in "$_pre"*) printf '%s\n' "$_why"; break ;; esac
	done <"$T/text"
}

C=$T/cmds
mkdir -p "$C"
ncmd=0
: >"$T/used-text"
i=1
while [ "$i" -le "$nblocks" ]; do
	first=$(head -n 1 "$B/$i")
	why=$(text_reason "$first")
	if [ -n "$why" ]; then
		printf '%s\n' "$first" >>"$T/used-text"
		ok 0 "README block $i (line $(cat "$B/$i.line")) is not run: $why"
		case $why in *JSON*)
			_r=0; tr -d '\n' <"$B/$i" | jq -e 'type == "object"' >/dev/null 2>&1 || _r=$?
			ok $_r "README block $i is one JSON object" ;;
		esac
		i=$((i + 1))
		continue
	fi
	# Split into commands.
	cmd=""
	while IFS= read -r l || [ -n "$l" ]; do
		if [ -z "$cmd" ]; then
			case $l in '' | \#*) continue ;; esac
			cmd=$l
		else
			cmd="$cmd
$l"
		fi
		case $l in *\\ | *'|' | *'&&' | *'||') continue ;; esac
		ncmd=$((ncmd + 1))
		printf '%s\n' "$cmd" >"$C/$ncmd"
		echo "$i" >"$C/$ncmd.block"
		cmd=""
	done <"$B/$i"
	[ -z "$cmd" ] || { ncmd=$((ncmd + 1)); printf '%s\n' "$cmd" >"$C/$ncmd"; echo "$i" >"$C/$ncmd.block"; }
	i=$((i + 1))
done
while IFS="$TAB" read -r pre why; do
	_r=0; awk -v p="$pre" 'index($0, p) == 1 { f = 1 } END { exit !f }' "$T/used-text" || _r=$?
	ok $_r "the README still has the text block listed as '$pre'"
done <"$T/text"

# special CMD: "KIND<TAB>ARG<TAB>REASON" of the first SPECIAL line whose
# start the command's first line begins with (comments aside).
special() {
	_c=$(head -n 1 "$1" | sed 's/[[:space:]]*#[^'\''"]*$//')
	while IFS="$TAB" read -r _k _pre _arg _why; do
		case $_c in "$_pre"*) printf '%s\t%s\t%s\n' "$_k" "$_arg" "$_why"; break ;; esac
	done <"$T/special"
}

# --- the session --------------------------------------------------------
W=$T/work
R=$T/res
mkdir -p "$W/build" "$R"
cp -R "$TOP/scripts" "$TOP/examples" "$W/"
ln -s "$SB_BIN" "$W/build/bin"

: >"$T/used-special"
: >"$T/used-rewrite"
S=$T/session.sh
{
	echo 'cd "$W" || exit 1'
	echo 'R=$SB_RES'
} >"$S"
n=1
while [ "$n" -le "$ncmd" ]; do
	cp "$C/$n" "$C/$n.orig"
	while IFS="$TAB" read -r name expr; do
		sed -E "$expr" "$C/$n" >"$C/$n.new"
		cmp -s "$C/$n" "$C/$n.new" || echo "$name" >>"$T/used-rewrite"
		mv "$C/$n.new" "$C/$n"
	done <"$T/rewrites"
	sp=$(special "$C/$n.orig")
	kind=${sp%%"$TAB"*}
	rest=${sp#*"$TAB"}
	arg=${rest%%"$TAB"*}
	[ -z "$sp" ] || head -n 1 "$C/$n.orig" >>"$T/used-special"
	case $kind in
	skip)
		echo "echo '$n skipped' >>\"\$R/status\"" >>"$S" ;;
	instead)
		printf '%s\n' "$arg" >"$C/$n"
		cat >>"$S" <<EOF
{ $arg
} >"\$R/$n.out" 2>"\$R/$n.err" </dev/null
echo "$n \$?" >>"\$R/status"
EOF
		;;
	bounded)
		cat >>"$S" <<EOF
timeout $arg bash "$C/$n" >"\$R/$n.out" 2>"\$R/$n.err" </dev/null
echo "$n \$?" >>"\$R/status"
EOF
		;;
	serve)
		cat >>"$S" <<EOF
{ $(sed -E 's/[[:space:]]+#[^'\''"]*$//' "$C/$n") &
} >"\$R/$n.out" 2>"\$R/$n.err" </dev/null
spid=\$!
i=0
until grep -q listening "\$R/$n.err" || [ \$i -ge 300 ]; do sleep 0.1; i=\$((i + 1)); done
url=\$(grep -o 'http://[0-9.:]*' "\$R/$n.err" | head -n 1)
curl -s "\$url$arg" >"\$R/$n.page"
kill \$spid; wait \$spid
echo "$n \$?" >>"\$R/status"
EOF
		;;
	*)
		{
			echo "{ $(cat "$C/$n")"
			echo "} >\"\$R/$n.out\" 2>\"\$R/$n.err\" </dev/null"
			echo "echo \"$n \$?\" >>\"\$R/status\""
		} >>"$S" ;;
	esac
	n=$((n + 1))
done

# Nothing in the session binds or calls a fixed, well-known port.
n=1
: >"$T/all-cmds"
while [ "$n" -le "$ncmd" ]; do cat "$C/$n" >>"$T/all-cmds"; n=$((n + 1)); done
hasnt "$T/all-cmds" '127\.0\.0\.1:(8000|5000|9095)\b|:6379\b|/run/postgresql|(^|[|;&(] *|timeout [0-9]+ )(ingestd|dashboard) +([^-]|-[^p])' \
    "once rewritten, no command uses a fixed port"

# Without the tools on PATH, and without SB_BIN: as a new user's shell.
# A command that never ends stops the session (and every process it
# started: timeout's process group) after SB_README_TIMEOUT seconds.
USER_PATH=${PATH#"$SB_BIN":}
RC=0
env -u SB_BIN -u SB_UNIT -u SB_TOP -u REDIS_URL -u TIMESCALE_CONNECTION_STRING \
    PATH="$USER_PATH" W="$W" SB_RES="$R" \
    timeout "${SB_README_TIMEOUT:-900}" bash "$S" >"$T/session.out" 2>"$T/session.err" || RC=$?
is "$RC" 0 "the README session ran to its end"
if [ "$RC" -ne 0 ]; then
	_last=$(awk 'END { print $1 + 0 }' "$R/status" 2>/dev/null || echo 0)
	diag "stopped in README command $((_last + 1)): $(head -n 1 "$C/$((_last + 1)).orig" 2>/dev/null)"
fi
[ -s "$T/session.err" ] && sed 's/^/# session: /' "$T/session.err" | head -20

# --- the verdicts -------------------------------------------------------
expect_for() {	# the pattern for command file $1, if any
	_c=$(head -n 1 "$1")
	while IFS="$TAB" read -r _pre _re; do
		case $_c in "$_pre"*) printf '%s\n' "$_re"; break ;; esac
	done <"$T/expect"
}
n=1
while [ "$n" -le "$ncmd" ]; do
	first=$(head -n 1 "$C/$n.orig")
	sp=$(special "$C/$n.orig")
	kind=${sp%%"$TAB"*}
	why=${sp##*"$TAB"}
	st=$(awk -v n="$n" '$1 == n { print $2 }' "$R/status" 2>/dev/null)
	desc="README command $n (block $(cat "$C/$n.block")): $first"
	case $kind in
	skip)
		is "$st" skipped "$desc: not run: $why" ;;
	bounded)
		arg=${sp#*"$TAB"}; arg=${arg%%"$TAB"*}
		is "$st" 124 "$desc: still running after ${arg}s ($why)"
		hasnt "$R/$n.err" 'command not found|usage:|No such file|unrecognized|unknown option|Address already in use' \
		    "$desc: no error while it ran" ;;
	serve)
		is "$st" 0 "$desc: served, then stopped ($why)"
		re=$(awk -F "$TAB" -v c="$first" 'index(c, $2) == 1 { print $4; exit }' "$T/special")
		has "$R/$n.page" "$re" "$desc: the page shows /$re/" ;;
	*)
		if [ "$st" = 0 ]; then ok 0 "$desc${why:+ ($why)}"; else
			ok 1 "$desc${why:+ ($why)}"
			diag "exit status ${st:-none}, stderr:"
			tail -n 5 "$R/$n.err" 2>/dev/null | diag_stream
		fi ;;
	esac
	re=$(expect_for "$C/$n.orig")
	if [ -n "$re" ]; then
		cat "$R/$n.out" "$R/$n.err" >"$R/$n.both" 2>/dev/null || true
		has "$R/$n.both" "$re" "$desc: shows /$re/"
	fi
	n=$((n + 1))
done

# The lists and the rewrites are all still used.
while IFS="$TAB" read -r k pre rest; do
	_r=0; awk -v p="$pre" 'index($0, p) == 1 { f = 1 } END { exit !f }' "$T/used-special" || _r=$?
	ok $_r "the README still has the command listed as $k '$pre'"
done <"$T/special"
while IFS="$TAB" read -r pre re; do
	_r=0; cat "$C"/*.orig | awk -v p="$pre" 'index($0, p) == 1 { f = 1 } END { exit !f }' || _r=$?
	ok $_r "the README still has the command expected to show /$re/: '$pre'"
done <"$T/expect"
while IFS="$TAB" read -r name expr; do
	_r=0; grep -qxF -- "$name" "$T/used-rewrite" || _r=$?
	ok $_r "the rewrite '$name' still applies to a command"
done <"$T/rewrites"
done_testing
