#!/bin/sh
# explain --templates: the built-in set equals examples/templates.txt,
# overrides replace by name, and template errors are reported clearly.
. "$(dirname "$0")/lib.sh"

run explain --print-templates
is_rc 0 "--print-templates exits 0"
same "$OUT" "$TOP/examples/templates.txt" "the built-in templates equal examples/templates.txt"
run explain --templates "$TOP/examples/templates.txt" "$FIX/explain-patterns.jsonl"
same "$OUT" "$FIX/explain-patterns.expected" "the example file gives the built-in output"

cat >"$T/mine" <<'X'
# my words
summary.firing = [{severity}] {key}: {headline} since {since_hhmm} ({{literal}})
rec.latency_errors = Page the database team about {key}.
X
run explain --templates "$T/mine" "$FIX/explain-patterns.jsonl"
is_rc 0 "an override file works"
is "$(jq -r 'select(.state == "firing") | .summary' "$OUT" | head -1)" \
    "[warning] checkout GET /api/orders/{id}: error rate 3.1% and p95 latency 2.4x since 14:12 ({literal})" \
    "a template is replaced, {{ }} are literal braces"
is "$(jq -c 'select(.state == "firing") | .recommendations' "$OUT" | head -1)" \
    '["Page the database team about checkout GET /api/orders/{id}."]' "a rec.* name replaces its whole list"
is "$(jq -r 'select(.state == "updated") | .summary' "$OUT" | head -1)" \
    "WARNING (updated): median latency 1.5x on cart (2 endpoints)" "templates not named keep their built-in text"

err_case() {	# err_case TEXT REGEX DESCRIPTION
	printf '# c\n%s\n' "$1" >"$T/badt"
	run explain --templates "$T/badt" "$FIX/explain-patterns.jsonl"
	is_rc 1 "$3: exit 1"
	has "$ERR" "^explain: $T/badt:2: $2" "$3: reported with file and line"
}
err_case 'summary.firing = {nope}' "unknown placeholder '\{nope\}'" "unknown placeholder"
err_case 'summary.firing = {key' "unterminated placeholder" "unterminated placeholder"
err_case 'summary.firing = a } b' "unmatched '\}'" "stray brace"
err_case 'summary.fring = x' "unknown template 'summary.fring'" "unknown template name"
err_case 'just words' "expected 'NAME = TEXT'" "no equals sign"
run explain --templates "$T/none" </dev/null
is_rc 1 "a missing template file exits 1"
has "$ERR" "none" "and names it"

# A placeholder with no value for the alert at hand expands to '?'.
printf 'summary.firing = {p_value}|{error_rate_pct}\n' >"$T/q"
run explain --templates "$T/q" "$FIX/explain-patterns.jsonl"
is "$(jq -r 'select(.state == "firing") | .summary' "$OUT" | sed -n 2p)" "?|?" "a placeholder without a value is '?'"
done_testing
