#!/bin/sh
# make install: the nine tools, scripts/pipeline and scripts/backtest as
# slowburn-pipeline and slowburn-backtest, every man page, the systemd
# units with their sysusers.d, tmpfiles.d and logrotate files; the
# installed copies run on their own; make uninstall removes it all.
. "$(dirname "$0")/lib.sh"

# The build under test: build/bin or build/asan/bin.
BUILD=${SB_BIN%/bin}
BUILD=${BUILD#"$TOP"/}
case $BUILD in */asan) MK_SAN="SAN=1" MK_CFLAGS="-O1 -g" ;; *) MK_SAN="SAN=" MK_CFLAGS="-O2 -g" ;; esac
R=$T/root
P=/usr/local

RC=0
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$TOP" --no-print-directory B="$BUILD" "$MK_SAN" CFLAGS="$MK_CFLAGS" install DESTDIR="$R" >"$OUT" 2>"$ERR" || RC=$?
is_rc 0 "make install DESTDIR: exit 0"

for t in aggregate alert correlate dashboard detect explain ingestd inject store \
    slowburn-pipeline slowburn-backtest; do
	ok "$([ -x "$R$P/bin/$t" ] && echo 0 || echo 1)" "bin/$t installed, executable"
done
is "$(ls "$R$P/bin" | wc -l | tr -d ' ')" 11 "eleven commands, no more"
for m in man1/slowburn-pipeline.1 man1/slowburn-backtest.1 man1/aggregate.1 \
    man5/slowburn-records.5 man7/slowburn.7 man8/ingestd.8; do
	ok "$([ -f "$R$P/share/man/$m" ] && echo 0 || echo 1)" "man page $m installed"
done
is "$(find "$R$P/share/man" -type f | wc -l | tr -d ' ')" \
    "$(ls "$TOP"/man/*.[1-8] | wc -l | tr -d ' ')" "every man page installed"
for f in lib/systemd/system/ingestd.service lib/systemd/system/slowburn-pipeline.service \
    lib/sysusers.d/slowburn.conf lib/tmpfiles.d/slowburn.conf; do
	ok "$([ -f "$R$P/$f" ] && echo 0 || echo 1)" "$f installed"
done
ok "$([ -f "$R/etc/logrotate.d/slowburn" ] && echo 0 || echo 1)" "/etc/logrotate.d/slowburn installed"
has "$R$P/lib/systemd/system/slowburn-pipeline.service" "^ExecStart=$P/bin/slowburn-pipeline " \
    "the unit runs the installed pipeline"
cmp -s "$R$P/bin/slowburn-backtest" "$TOP/scripts/backtest"
ok $? "slowburn-backtest is scripts/backtest"

# The installed copies, with nothing of the source tree in PATH or SB_BIN:
# they find the tools beside themselves.
inject --scenario latency-ramp --seed 7 --hours 1.5 --degrade-at 1h \
    --start 2026-11-26T11:00:00Z --truth "$T/truth.jsonl" -o "$T/ev.jsonl"
bare() { env -u SB_BIN PATH=/usr/bin:/bin "$@"; }
cd "$T"
run bare "$R$P/bin/slowburn-pipeline" --json ev.jsonl
is_rc 0 "installed slowburn-pipeline: exit 0"
is "$(jq -r 'select(.state == "firing") | .key' "$OUT")" "checkout GET /api/orders/{id}" \
    "installed slowburn-pipeline: the alert on the ramp"
run bare "$R$P/bin/slowburn-pipeline" -h
has "$OUT" '^usage: slowburn-pipeline \[-h\]' "installed slowburn-pipeline -h: its installed name"
run bare "$R$P/bin/slowburn-pipeline" --nope
is_rc 2 "installed slowburn-pipeline, bad option: exit 2"
has "$ERR" "^slowburn-pipeline: unknown option '--nope'" "installed slowburn-pipeline: errors under its name"
run bare "$R$P/bin/slowburn-pipeline" --before-alert 'store put --tee' --json ev.jsonl
has "$OUT" '"state":"firing"' "installed: --before-alert finds store beside it"
run bare "$R$P/bin/slowburn-backtest" -q --min-recall 1 --max-ttd 10m --max-false 0 \
    --truth truth.jsonl ev.jsonl
is_rc 0 "installed slowburn-backtest: thresholds met, exit 0"
is "$(cat "$OUT" "$ERR")" "" "installed slowburn-backtest -q: silent"
run bare "$R$P/bin/slowburn-backtest" -q --max-ttd 1m --truth truth.jsonl ev.jsonl
is_rc 1 "installed slowburn-backtest: a missed threshold, exit 1"
has "$ERR" '^slowburn-backtest: FAIL latency-ramp: median time to detect' "installed: the miss under its name"
# The source-tree copies still work, from the source tree.
run "$TOP/scripts/pipeline" --json ev.jsonl
is "$(jq -r 'select(.state == "firing") | .key' "$OUT")" "checkout GET /api/orders/{id}" \
    "scripts/pipeline still works in the tree"
cd "$TOP"

# Installed man pages render.
run mandoc -Tutf8 "$R$P/share/man/man1/slowburn-backtest.1"
has "$OUT" 'max-ttd' "slowburn-backtest(1) renders"

RC=0
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$TOP" --no-print-directory B="$BUILD" "$MK_SAN" CFLAGS="$MK_CFLAGS" uninstall DESTDIR="$R" >"$OUT" 2>"$ERR" || RC=$?
is_rc 0 "make uninstall: exit 0"
is "$(find "$R" -type f | wc -l | tr -d ' ')" 0 "make uninstall: nothing left"
done_testing
