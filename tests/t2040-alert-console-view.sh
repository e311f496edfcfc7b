#!/bin/sh
# alert: the console block shows what the alert record gave, read once
# (the alert view): absent severity, id and times, non-string list
# members, resolved_at over at, and the severity colours by level.
. "$(dirname "$0")/lib.sh"

ESC=$(printf '\033')
printf '%s\n' \
    '{"type":"alert","key":"GET /a","state":"firing"}' \
    '{"type":"alert","key":"GET /b","state":"firing","severity":"critical","id":"0badf00d","started":"2026-11-26T14:06:00Z","at":"2026-11-26T14:21:00Z","summary":"slow","insights":[1,"one"],"recommendations":[2]}' \
    '{"type":"alert","key":"GET /c","state":"resolved","severity":"info","started":"2026-11-26T14:06:00Z","at":"2026-11-26T14:21:00Z","resolved_at":"2026-11-26T14:30:00Z"}' \
    '{"type":"alert","key":"GET /d","state":"firing","severity":"error"}' >"$T/in"
run alert --color never "$T/in"
is_rc 0 "alert exits 0"
cat >"$T/want" <<'END'
[alert] firing GET /a
  

[critical] firing GET /b (id 0badf00d)
  started 2026-11-26 14:06:00Z, at 2026-11-26 14:21:00Z
  slow
  Insights:
  - one
  Recommendations:

[info] resolved GET /c
  started 2026-11-26 14:06:00Z, resolved 2026-11-26 14:30:00Z

[error] firing GET /d
  
END
same "$OUT" "$T/want" "absent members stay absent; non-strings are skipped"
run alert --color always "$T/in"
has "$OUT" "^$ESC\\[1;36m\\[alert\\] firing" "no severity: cyan"
has "$OUT" "^$ESC\\[1;31m\\[critical\\] firing" "critical: red"
has "$OUT" "^$ESC\\[1;32m\\[info\\] resolved" "resolved: green"
has "$OUT" "^$ESC\\[1;36m\\[error\\] firing" "a severity not ours: cyan"
done_testing
