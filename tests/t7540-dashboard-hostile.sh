#!/bin/sh
# t7540-dashboard-hostile: every page with every parameter it takes, each
# set to hostile strings (markup, script, a javascript: URL, an attribute
# break-out), loaded in real headless Chromium over a store that holds
# hostile names too: no script runs (no dialog), no element the page did
# not mean (script, img, iframe, an on* attribute, a javascript: link),
# and what is reflected is shown verbatim as text.  The JSON API answers
# the same parameters with JSON only.
. "$(dirname "$0")/lib.sh"
. "$FIX/dashboard-lib.sh"
dash_trap

dash_fill "$T/db" 2
dash_hostile | store put -b sqlite --sqlite-path "$T/db"
dash_start -b sqlite --sqlite-path "$T/db"

# The hostile values, percent-encoded, and one of them in clear.
H1='%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E'
H2='%3Cimg%20src%3Dx%20onerror%3Dalert(2)%3E'
H3='javascript%3Aalert(3)'
H4='%27%20onmouseover%3D%27alert(4)'
H5='%3C%2Ftitle%3E%3Csvg%20onload%3Dalert(5)%3E'
CLEAR1='"><script>alert(1)</script>'

urls=""
n=0
for page in "/ range since until filter refresh" \
    "/endpoint key range since until refresh" \
    "/alerts key severity state range since until refresh"; do
	path=${page%% *}
	for p in ${page#* }; do
		for v in "$H1" "$H2" "$H3" "$H4" "$H5"; do
			extra=""
			[ "$path" = /endpoint ] && [ "$p" != key ] && extra="&key=$DASH_KEY_Q"
			urls="$urls $DASH_URL$path?$p=$v$extra"
			n=$((n + 1))
		done
	done
done
# The hostile key of the store, on every page that shows keys.
urls="$urls $DASH_URL/?range=6h $DASH_URL/endpoint?key=$XSS_KEY_Q $DASH_URL/alerts?key=$XSS_KEY_Q"
n=$((n + 3))

mkdir -p "$T/chrome"
RC=0
# shellcheck disable=SC2086
TMPDIR=$T/chrome node "$TOP/tests/browser/probe.js" $urls >"$T/probe" 2>"$ERR" || RC=$?
is_rc 0 "chromium loads $n pages"
is "$(lines "$T/probe")" "$n" "one report per page"
for f in dialogs scripts imgs onerror handlers jsurls frames; do
	if [ "$f" = dialogs ]; then
		got=$(jq -s 'map(.dialogs | length) | add' "$T/probe")
	else
		got=$(jq -s --arg f "$f" 'map(.[$f]) | add' "$T/probe")
	fi
	is "$got" 0 "no $f on any of the $n pages"
done
is "$(jq -s --arg s "$CLEAR1" '[.[] | select(.text | contains("range: \u0027" + $s + "\u0027"))] | length' "$T/probe")" 3 \
    "a hostile range is quoted verbatim, as text, on each page that takes it"
is "$(jq -s --arg k "$XSS_KEY" '[.[] | select(.text | contains($k))] | length >= 3' "$T/probe")" true \
    "the stored hostile key is shown as text"

# The API: JSON, whatever the parameters.
bad=0
for path in "/api/endpoints range since until filter" "/api/series key range since until" \
    "/api/alerts key severity state range since until"; do
	for p in ${path#* }; do
		u="$DASH_URL${path%% *}?$p=$H1"
		[ "${path%% *}" = /api/series ] && [ "$p" != key ] && u="$u&key=$DASH_KEY_Q"
		curl -s -D "$T/h" -o "$T/b" "$u" || bad=$((bad + 1))
		grep -qi '^Content-Type: application/json' "$T/h" || bad=$((bad + 1))
		grep -qi '^X-Content-Type-Options: nosniff' "$T/h" || bad=$((bad + 1))
		jq -e . "$T/b" >/dev/null 2>&1 || bad=$((bad + 1))
	done
done
is "$bad" 0 "the API answers hostile parameters with JSON, nosniff"
done_testing
