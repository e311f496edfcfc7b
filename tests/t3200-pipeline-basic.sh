#!/bin/sh
# scripts/pipeline: the whole flow end to end on a short latency ramp, its
# options, usage errors, and a failing stage making the exit status.
. "$(dirname "$0")/lib.sh"
P=$TOP/scripts/pipeline
K='checkout GET /api/orders/{id}'

inject --scenario latency-ramp --seed 7 --hours 1.5 --degrade-at 1h \
    --start 2026-11-26T11:00:00Z --truth "$T/truth.jsonl" -o "$T/ev.jsonl"

run "$P" "$T/ev.jsonl"
is_rc 0 "a file: exit 0"
has "$OUT" "^\[critical\] firing $K \(id [0-9a-f]{8}\)" "console: a critical alert on the ramp's key"
has "$OUT" "^  CRITICAL: median latency [0-9.]+x on $K" "console: the summary with the ratio"
has "$OUT" "median latency of $K rose from 1[0-9]{2} ms to [0-9]+ ms" \
    "console: the explanation with the numbers"
has "$OUT" 'at 2026-11-26 12:0[0-3]:00Z' "console: the alert within 3 minutes of the ramp"
hasnt "$OUT" '"type"' "console: no JSON records, no windows"
cp "$OUT" "$T/console"

run_in "$T/ev.jsonl" "$P"
is_rc 0 "stdin: exit 0"
same "$OUT" "$T/console" "stdin gives what the file gives"

run "$P" --json "$T/ev.jsonl"
is_rc 0 "--json: exit 0"
is "$(jq -r 'select(.type == "alert") | [.state, .key, (.summary | length > 0)] | @tsv' "$OUT" | head -n 1)" \
    "$(printf 'firing\t%s\ttrue' "$K")" "--json: explained alert records"
is "$(jq -r .type "$OUT" | sort -u | xargs)" "alert" "--json: alerts only"
cp "$OUT" "$T/json"

run "$P" --source "cat '$T/ev.jsonl'" --json
is_rc 0 "--source: exit 0"
same "$OUT" "$T/json" "--source: the same alerts"

# The hook between explain and alert sees every record, alerts explained.
{ echo '{"type":"note","text":"passes through every stage"}'; cat "$T/ev.jsonl"; } >"$T/ev2.jsonl"
run "$P" --before-alert "tee '$T/hook' | grep -v '^{\"type\":\"note\"'" "$T/ev2.jsonl"
is_rc 0 "--before-alert: exit 0"
same "$OUT" "$T/console" "--before-alert: alert gets what the hook passes on"
is "$(jq -r 'select(.type == "alert") | has("summary")' "$T/hook" | sort -u)" true "--before-alert: the hook sees explained alerts"
has "$T/hook" '^\{"type":"note","text":"passes through every stage"\}$' "--before-alert: the hook sees the forwarded records"
SB_BEFORE_ALERT="cat > '$T/hook2'" run "$P" "$T/ev2.jsonl"
is "$(lines "$OUT")" 0 "SB_BEFORE_ALERT: the environment sets the hook"
same "$T/hook2" "$T/hook" "SB_BEFORE_ALERT: the same records as --before-alert"

# Stage flags pass through; --state-dir keeps both states.
run "$P" --json --correlate-flags '--min-signals 10' "$T/ev.jsonl"
is "$RC $(lines "$OUT")" "0 0" "--correlate-flags: --min-signals 10 silences the alert"
run "$P" --json --state-dir "$T/state" "$T/ev.jsonl"
is_rc 0 "--state-dir: exit 0"
ls "$T/state" >"$T/ls"
is "$(xargs <"$T/ls")" "correlate.state detect.state" "--state-dir: detect and correlate state files"
run "$P" --idle-flush 10s --json "$T/ev.jsonl"
is_rc 0 "--idle-flush: exit 0"
same "$OUT" "$T/json" "--idle-flush: the same alerts from a file read at once"

# Usage.
run "$P" -h
is_rc 0 "-h: exit 0"
has "$OUT" '^usage: pipeline ' "-h: usage on stdout"
run "$P" --bogus
is_rc 2 "unknown option: exit 2"
has "$ERR" "pipeline: unknown option '--bogus'" "unknown option: named on stderr"
has "$ERR" '^usage: pipeline ' "unknown option: usage on stderr"
run "$P" --detect-flags
is_rc 2 "missing value: exit 2"
has "$ERR" "option '--detect-flags' needs a value" "missing value: said so"
run "$P" --source cat "$T/ev.jsonl"
is_rc 2 "--source with files: exit 2"

# A failing stage fails the pipeline, and is named.
run "$P" "$T/nonexistent.jsonl"
is_rc 1 "unreadable file: exit 1"
has "$ERR" 'pipeline: aggregate exited with status 1' "unreadable file: aggregate named"
run "$P" --detect-flags '--level-z nope' "$T/ev.jsonl"
is_rc 2 "bad detect flag: exit 2, detect's usage error"
has "$ERR" 'pipeline: detect exited with status 2' "bad detect flag: detect named"
run "$P" --before-alert 'head -n 1; exit 3' "$T/ev.jsonl"
is_rc 1 "failing hook: exit 1"
has "$ERR" 'pipeline: before-alert exited with status 3' "failing hook: named, not the stages it cut off"
run "$P" --source 'cat; exit 4' </dev/null
is_rc 1 "failing source: exit 1"
has "$ERR" 'pipeline: source exited with status 4' "failing source: named"
done_testing
