#!/bin/sh
# aggregate --state: a state that is not one, cut short, of another
# version, not UTF-8, or saved with other options is refused at its
# FILE:LINE with exit 1, before any input is read, and is left as it was.
. "$(dirname "$0")/lib.sh"

inject --seed 2 --hours 0.2 --start 2026-11-26T10:00:00Z >"$T/ev.jsonl"
head -n 3000 "$T/ev.jsonl" >"$T/p1"
aggregate --state "$T/good" --windows 1m,5m "$T/p1" >/dev/null
nl=$(lines "$T/good")
ok "$([ "$nl" -gt 3 ] && echo 0 || echo 1)" "a state of $nl lines"

# bad NAME MESSAGE-ERE DESCRIPTION [OPTIONS]: the state $T/NAME is
# refused, the first line of stderr "aggregate: $T/NAME" and a match of
# MESSAGE-ERE, nothing written, the file unchanged.
bad() {
	_name=$1 _msg=$2 _desc=$3
	shift 3
	cp "$T/$_name" "$T/$_name.orig"
	run aggregate --windows 1m,5m "$@" --state "$T/$_name" "$T/ev.jsonl"
	is_rc 1 "$_desc: exit 1"
	if head -n 1 "$ERR" | grep -Eqx -- "aggregate: $T/$_name$_msg"; then
		ok 0 "$_desc: says where and why"
	else
		ok 1 "$_desc: says where and why"
		diag "expected: aggregate: $T/$_name$_msg"
		head -3 "$ERR" | diag_stream
	fi
	is "$(lines "$OUT")" 0 "$_desc: writes nothing"
	same "$T/$_name" "$T/$_name.orig" "$_desc: the state is left as it was"
}

printf 'garbage\n' >"$T/garbage"
bad garbage ":1: invalid JSON: unexpected character 'g'" "not JSON"
printf '' >"$T/empty"
bad empty ": empty, not an aggregate state" "an empty file"
printf '[1,2]\n' >"$T/array"
bad array ":1: not a JSON object" "not an object"
sed -n 1p "$T/good" | sed 's/"version":1/"version":2/' >"$T/v2"
sed 1d "$T/good" >>"$T/v2"
bad v2 ":1: not an aggregate state of a version this aggregate reads \(1\)" \
    "another version"
sed 's/"aggregate_state"/"detect-state"/' "$T/good" >"$T/detect"
bad detect ":1: not an aggregate state" "another tool's state"
head -n $((nl - 1)) "$T/good" >"$T/short"
bad short ": cut short: $((nl - 1)) lines expected, $((nl - 2)) read" \
    "cut at the end of a line"
head -c $(($(wc -c <"$T/good") - 40)) "$T/good" >"$T/cut"
bad cut ":$nl: invalid JSON: truncated input" \
    "cut in the middle of a line"
# Invalid UTF-8 in a key.
sed '4s/"key":"/"key":"\xff/' "$T/good" >"$T/utf8"
bad utf8 ":4: invalid JSON: invalid UTF-8 in string" "invalid UTF-8"
# A window's count that its sketch does not hold; errors beyond its count.
sed '4s/"count":\([0-9]*\)/"count":1\1/' "$T/good" >"$T/count"
bad count ":4: 'sketch' counts [0-9]+ events, 'count' is 1[0-9]+" \
    "a count that its sketch does not hold"
sed '4s/"errors":0/"errors":100000/' "$T/good" >"$T/errors"
bad errors ":4: 'errors', 'client_errors' or 'bytes_n' exceed 'count'" \
    "more errors than requests"
sed '4s/"codes":\[\[\([0-9]*\),/"codes":[[200,/' "$T/good" >"$T/codes"
bad codes ":4: 'codes' is not a list of \[code, count\] in ascending order within 'errors' and 'client_errors'" \
    "a status code that is not an error"
# A series twice.
{ head -n 4 "$T/good"; sed -n 4p "$T/good"; tail -n +5 "$T/good"; } |
    sed '1s/"lines":\([0-9]*\)/"lines":'"$nl"'/' >"$T/twice"
bad twice ":5: series not in key order, or one twice" "a series twice"
# A window that cannot be open.
sed '4s/"start_ms":\([0-9]*\)/"start_ms":1\1/' "$T/good" >"$T/far"
bad far ":4: a window of 60000ms at 1[0-9]+ is not one that can be open" \
    "a window far from the open ones"
# Options that shape the windows must be those that saved the state.
bad good ":3: the state was saved with --windows 1m,5m, this run has 1m,15m: run with the options that saved it" \
    "other --windows" --windows 1m,15m
bad good ":3: the state was saved with --lateness 5s, this run has 10s: run with the options that saved it" \
    "other --lateness" --lateness 10s
bad good ":3: the state was saved with --max-keys 1000, this run has 7: run with the options that saved it" \
    "other --max-keys" --max-keys 7
bad good ":3: the state was saved without --no-normalize, this run with: run with the options that saved it" \
    "--no-normalize" --no-normalize
bad good ":1: the state is of aggregate without --merge, this run merges" \
    "--merge with the state of events" --merge
# A state that is not a file.
mkdir "$T/dir"
run aggregate --state "$T/dir" "$T/ev.jsonl"
is_rc 1 "a directory as the state: exit 1"
has "$ERR" "^aggregate: $T/dir: " "and says which"

# --final without --state is a usage error.
run aggregate --final "$T/ev.jsonl"
is_rc 2 "--final without --state: exit 2"
is "$(head -n 1 "$ERR")" "aggregate: --final ends a run of --state: it needs --state" \
    "and says why"
# A state that cannot be saved: the windows are written, exit 1.
run aggregate --state /nonexistent/dir/S "$T/ev.jsonl"
is_rc 1 "an unwritable state: exit 1"
has "$ERR" "^aggregate: /nonexistent/dir/S: No such file or directory" "and says why"
ok "$([ -s "$OUT" ] && echo 0 || echo 1)" "the closed windows are written all the same"
# Damaged at random (a byte changed, a digit, a line dropped), a state is
# refused or taken, never a crash: exit 0 or 1, nothing from a sanitizer.
bad_exit=0 crashed=0 taken=0
for i in $(seq 1 120); do
	awk -v seed="$i" 'BEGIN { srand(seed) }
	{ l[NR] = $0 }
	END {
		k = 1 + int(rand() * NR); what = int(rand() * 3)
		for (j = 1; j <= NR; j++) {
			s = l[j]
			if (j == k && what == 0) continue
			if (j == k && what == 1) {
				p = 1 + int(rand() * length(s))
				s = substr(s, 1, p - 1) substr("0123456789{}[]\",:-e\\", 1 + int(rand() * 20), 1) substr(s, p + 1)
			}
			if (j == k && what == 2) {
				gsub(/[0-9]/, int(rand() * 10), s)
			}
			print s
		}
	}' "$T/good" >"$T/damaged"
	rc=0
	aggregate --windows 1m,5m --state "$T/damaged" "$T/p1" >/dev/null 2>"$T/derr" || rc=$?
	[ "$rc" -le 1 ] || bad_exit=$((bad_exit + 1))
	[ "$rc" -ne 0 ] || taken=$((taken + 1))
	! grep -Eq 'runtime error|Sanitizer' "$T/derr" || crashed=$((crashed + 1))
done
is "$bad_exit" 0 "120 damaged states: every exit 0 or 1 ($taken taken)"
is "$crashed" 0 "and no sanitizer report"

# The stage after aggregate is gone: the state is saved all the same.
rm -f "$T/gone"
aggregate --state "$T/gone" "$T/ev.jsonl" | true
ok "$([ -s "$T/gone" ] && echo 0 || echo 1)" "the state is saved though nobody reads the output"
done_testing
