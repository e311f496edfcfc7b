#!/bin/sh
# What make install gives systemd: ingestd.service and
# slowburn-pipeline.service pass systemd-analyze verify against the
# installed binaries and man pages; sysusers.d makes the slowburn user and
# tmpfiles.d its directories (in a --root tree); the logrotate file passes
# logrotate -d and, pointed at that tree, really rotates the raw log of a
# running ingestd, which reopens it on SIGHUP.
. "$(dirname "$0")/lib.sh"
. "$FIX/ingestd-lib.sh"

BUILD=${SB_BIN%/bin}
BUILD=${BUILD#"$TOP"/}
case $BUILD in */asan) MK_SAN="SAN=1" MK_CFLAGS="-O1 -g" ;; *) MK_SAN="SAN=" MK_CFLAGS="-O2 -g" ;; esac
P=$T/prefix
S=$T/sysroot
UNITS="$P/lib/systemd/system/ingestd.service $P/lib/systemd/system/slowburn-pipeline.service"

# Installed under a prefix of its own (no DESTDIR), so that the units'
# ExecStart paths are real files that systemd-analyze can check.
RC=0
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$TOP" --no-print-directory \
    B="$BUILD" "$MK_SAN" CFLAGS="$MK_CFLAGS" install PREFIX="$P" \
    LOGROTATEDIR="$P/etc/logrotate.d" >"$OUT" 2>"$ERR" || RC=$?
is_rc 0 "make install PREFIX: exit 0"
has "$P/lib/systemd/system/ingestd.service" "^ExecStart=$P/bin/ingestd " "ingestd.service runs \$(BINDIR)/ingestd"
has "$P/lib/systemd/system/slowburn-pipeline.service" "^ExecStart=$P/bin/slowburn-pipeline " \
    "slowburn-pipeline.service runs \$(BINDIR)/slowburn-pipeline"

# --- systemd-analyze verify -------------------------------------------------

# verify also runs man(1) on each Documentation= page: the installed ones.
verify() { MANPATH=$P/share/man: systemd-analyze verify "$@"; }
# shellcheck disable=SC2086
run verify $UNITS
is_rc 0 "systemd-analyze verify: both units, exit 0"
is "$(cat "$ERR")" "" "systemd-analyze verify: no complaint"
# The check bites: a unit whose program is missing, or whose manual is.
sed "s|^ExecStart=$P/bin/slowburn-pipeline|ExecStart=$P/bin/slowburn-nothing|" \
    "$P/lib/systemd/system/slowburn-pipeline.service" >"$T/slowburn-pipeline.service"
run verify "$T/slowburn-pipeline.service"
ok "$([ "$RC" -ne 0 ] && echo 0 || echo 1)" "verify fails a unit whose program is missing"
has "$ERR" "slowburn-nothing" "and names it"
rm "$P/share/man/man1/slowburn-pipeline.1"
run verify "$P/lib/systemd/system/slowburn-pipeline.service"
ok "$([ "$RC" -ne 0 ] && echo 0 || echo 1)" "verify fails a unit whose manual is missing"

# --- sysusers.d and tmpfiles.d, in a --root tree -----------------------------

mkdir -p "$S/etc"
for f in passwd group shadow gshadow; do : >"$S/etc/$f"; done
run systemd-sysusers --root="$S" "$P/lib/sysusers.d/slowburn.conf"
is_rc 0 "systemd-sysusers --root: exit 0"
has "$S/etc/passwd" '^slowburn:x:[0-9]+:[0-9]+:[^:]*:/var/lib/slowburn:/usr/sbin/nologin$' \
    "the slowburn user: home /var/lib/slowburn, no login"
has "$S/etc/group" '^slowburn:x:[0-9]+:' "the slowburn group"
uid=$(awk -F: '$1 == "slowburn" { print $3 }' "$S/etc/passwd")
gid=$(awk -F: '$1 == "slowburn" { print $3 }' "$S/etc/group")
ok "$([ "$uid" -gt 0 ] && [ "$uid" -lt 1000 ] && echo 0 || echo 1)" "a system uid ($uid)"
run systemd-sysusers --dry-run --root="$S" "$P/lib/sysusers.d/slowburn.conf"
is_rc 0 "systemd-sysusers --dry-run again: exit 0"
hasnt "$OUT" "Creating" "again: nothing more to create"

run systemd-tmpfiles --root="$S" --create "$P/lib/tmpfiles.d/slowburn.conf"
is_rc 0 "systemd-tmpfiles --root --create: exit 0"
is "$(cat "$ERR")" "" "systemd-tmpfiles: no complaint"
for d in var/lib/slowburn var/lib/slowburn/state var/spool/slowburn; do
	is "$(stat -c '%u:%g %a' "$S/$d")" "$uid:$gid 750" "/$d: slowburn's, 0750"
done
is "$(stat -c '%u:%g %a' "$S/etc/slowburn")" "0:$gid 750" "/etc/slowburn: root's, group slowburn, 0750"

# --- logrotate ---------------------------------------------------------------

# logrotate resolves the su user in /etc/passwd: where the machine has no
# slowburn user, run it in a mount namespace that sees the --root tree's.
as_sysroot() {
	if getent passwd slowburn >/dev/null 2>&1; then
		"$@"
	else
		unshare -m sh -c 'mount --bind "$1/etc/passwd" /etc/passwd &&
		    mount --bind "$1/etc/group" /etc/group && shift && exec "$@"' \
		    sh "$S" "$@"
	fi
}
LR=$P/etc/logrotate.d/slowburn
if ! getent passwd slowburn >/dev/null 2>&1 && ! as_sysroot true 2>/dev/null; then
	for i in 1 2 3 4 5 6 7 8 9; do ok 0 "# skip logrotate: no slowburn user and no mount namespace"; done
	done_testing
	exit
fi
run as_sysroot logrotate -d -s "$T/lr.state" "$LR"
is_rc 0 "logrotate -d: exit 0"
hasnt "$ERR" "error" "logrotate -d: no error"
has "$ERR" "rotating pattern: /var/lib/slowburn/raw_logs.jsonl" "logrotate -d: the raw log"
has "$ERR" "switching euid from 0 to $uid" "logrotate -d: works as slowburn (su)"

# The same file pointed at the tree, against a running ingestd: the old
# lines stay in raw_logs.jsonl.1, the new ones go to a new raw_logs.jsonl.
RAW=$S/var/lib/slowburn/raw_logs.jsonl
chmod 711 "$T"	# logrotate, as slowburn, must reach the tree
start_ingestd -o "$RAW"
sed "s|/var/lib/slowburn/|$S/var/lib/slowburn/|; s|systemctl kill .*|id -u >$T/lr.uid; kill -HUP $IPID|" "$LR" >"$T/lr.conf"
post_str '{"endpoint":"/before","status_code":200,"latency_ms":1}'
is "$CODE" 200 "an event before the rotation"
run as_sysroot logrotate -f -s "$T/lr.state" "$T/lr.conf"
is_rc 0 "logrotate -f: exit 0"
is "$(cat "$T/lr.uid" 2>/dev/null)" 0 "postrotate runs as root, as systemctl kill needs"
post_str '{"endpoint":"/after","status_code":200,"latency_ms":1}'
stop_ingestd
is "$(jq -r .endpoint "$RAW.1" 2>/dev/null)" "/before" "the rotated file has the event before"
is "$(jq -r .endpoint "$RAW" 2>/dev/null)" "/after" "ingestd reopened: the new file has the event after"
done_testing
