#!/bin/sh
# One rule for options in every tool (slowburn(7)): long options are
# spelled in full, never abbreviated, and every option error is worded the
# same way, first on stderr, with the usage after it and exit status 2.
. "$(dirname "$0")/lib.sh"

# opt_error MESSAGE CMD...: exit 2, MESSAGE the first line of stderr, the
# usage after it, nothing on stdout.
opt_error() {
	_msg=$1; shift
	run_in /dev/null "$@"
	if [ "$RC" -eq 2 ] && [ "$(head -n 1 "$ERR")" = "$_msg" ] &&
	    sed -n 2p "$ERR" | grep -q '^usage: ' && [ ! -s "$OUT" ]; then
		ok 0 "$*"
	else
		ok 1 "$*"
		diag "exit $RC, expected 2 and '$_msg' then the usage; stderr:"
		head -3 "$ERR" | diag_stream
	fi
}

# An unknown long option, an unknown short one.
for t in aggregate alert correlate dashboard detect explain ingestd inject; do
	opt_error "$t: unrecognized option '--no-such-option'" "$t" --no-such-option
	opt_error "$t: unrecognized option '-Z'" "$t" -Z
done
opt_error "store: unrecognized option '--no-such-option'" store put --no-such-option
opt_error "store: unrecognized option '-Z'" store query -Z
opt_error "alert: unrecognized option '--no-such-option'" alert silence list --no-such-option

# A prefix of exactly one option is not that option, in every tool.
opt_error "aggregate: unrecognized option '--idle'" aggregate --idle 10s
opt_error "aggregate: unrecognized option '--idle'" aggregate --idle=10s
opt_error "alert: unrecognized option '--jitter'" alert --jitter 1
opt_error "correlate: unrecognized option '--resolve'" correlate --resolve 5m
opt_error "dashboard: unrecognized option '--refr'" dashboard -b nosuch --refr 5
opt_error "detect: unrecognized option '--warm'" detect --warm 5
opt_error "explain: unrecognized option '--print'" explain --print
opt_error "ingestd: unrecognized option '--token'" ingestd -n --token /nonexistent
opt_error "inject: unrecognized option '--rate-sc'" inject --rate-sc 5
opt_error "store: unrecognized option '--bat'" store put -b memory --bat 5
opt_error "alert: unrecognized option '--sil'" alert silence list --sil "$T/s.json"
# ... and it is checked wherever it stands, before any option is acted on.
opt_error "detect: unrecognized option '--warm'" detect --state "$T/st" /dev/null --warm 5
[ -e "$T/st" ] && r=1 || r=0
ok "$r" "  nothing was done"

# A missing argument; an argument to an option that takes none.
opt_error "aggregate: option '--lateness' requires an argument" aggregate --lateness
opt_error "aggregate: option '-w' requires an argument" aggregate -w
opt_error "alert: option '--format' requires an argument" alert --format
opt_error "correlate: option '--within' requires an argument" correlate --within
opt_error "dashboard: option '-p' requires an argument" dashboard -p
opt_error "detect: option '--warmup' requires an argument" detect --warmup
opt_error "explain: option '--templates' requires an argument" explain --templates
opt_error "ingestd: option '--port' requires an argument" ingestd --port
opt_error "inject: option '--seed' requires an argument" inject --seed
opt_error "store: option '--type' requires an argument" store query --type
opt_error "aggregate: option '--strict' takes no argument" aggregate --strict=yes
opt_error "detect: option '--tee' takes no argument" detect --tee=1
opt_error "inject: option '--list' takes no argument" inject --list=all

# Whole names still work, in both spellings, after operands too.
run_in /dev/null aggregate --idle-flush 10s
is_rc 0 "aggregate --idle-flush 10s: exit 0"
run_in /dev/null aggregate --idle-flush=10s /dev/null --strict
is_rc 0 "aggregate --idle-flush=10s /dev/null --strict: exit 0"
run inject --hours 0.01 --rate-scale 0.5 --seed 1
is_rc 0 "inject --rate-scale 0.5: exit 0"
run_in /dev/null aggregate -- --strict
is_rc 1 "after --, --strict is a file name"
has "$ERR" "^aggregate: --strict: No such file" "  and is reported as one"

# No tool words an option error its own way any more.
grep -rn -e 'unknown option' -e 'invalid option' "$TOP/tools" "$TOP/lib" >"$T/own" || true
is "$(lines "$T/own")" 0 "no source words an option error otherwise"
# The rule is documented once, and inject(1) no longer contradicts it.
has "$TOP/man/slowburn.7" '^Long options are spelled in full' "slowburn(7) states the rule"
hasnt "$TOP/man/inject.1" 'abbreviation such as$' "inject(1): --rate is not called an abbreviation"

done_testing
