#!/bin/sh
# t7060-ingestd-disk-full: a full disk answers 503 with a clear log line,
# tears no line, loses nothing acknowledged, and ingestd resumes by itself
# once there is room again.
#
# As root the disk is a 1 MiB tmpfs, really filled.  Where mount(8) is not
# allowed, a file size limit set on the running ingestd with prlimit(1)
# stands in for it (writes then fail with EFBIG instead of ENOSPC).
. "$(dirname "$0")/lib.sh"
. "$FIX/ingestd-lib.sh"

MNT=$T/mnt
mkdir "$MNT"
MODE=prlimit
if [ "$(id -u)" -eq 0 ] && mount -t tmpfs -o size=1m tmpfs "$MNT" 2>/dev/null; then
	MODE=tmpfs
fi
trap 'for p in $IPID; do kill -9 "$p" 2>/dev/null || true; done
	[ $MODE = tmpfs ] && umount "$MNT" 2>/dev/null; rm -rf "$T"' EXIT
diag "full disk simulated with: $MODE"

# A batch of 60 events of about 150 bytes: 9 KiB.
batch() {
	for j in $(seq 60); do event "$1-$j" ', "pad":"'"$(printf '%0100d' 0)"'"'; done
}

if [ $MODE = tmpfs ]; then
	head -c 900k /dev/zero >"$MNT/filler"
	start_ingestd -o "$MNT/raw.jsonl"
else
	start_ingestd -o "$MNT/raw.jsonl"
	prlimit --pid "$IPID" --fsize=120000:unlimited
fi

: >"$T/acked"
k=0
CODE=200
while [ "$CODE" = 200 ] && [ $k -lt 100 ]; do
	k=$((k + 1))
	batch $k >"$T/b"
	post "$T/b"
	[ "$CODE" = 200 ] && jq -r .endpoint "$T/b" >>"$T/acked"
done
is "$CODE" 503 "the disk fills up: 503 (after $((k - 1)) batches)"
has "$T/headers" '^Retry-After: 1' "with Retry-After"
has "$OUT" '"error":"the output cannot be written just now"' "and a message"
has "$IERR" "^ingestd: $MNT/raw.jsonl: write: (No space left on device|File too large); answering 503 until it can be written again\$" \
    "the log says what and where"
get /healthz
is "$CODE" 503 "GET /healthz: 503"
has "$OUT" '"status":"unhealthy","error":".*raw\.jsonl: write: ' "with the error"
is "$(metric ingestd_writer_healthy)" 0 "ingestd_writer_healthy 0"
ok "$([ "$(metric ingestd_write_errors_total)" -ge 1 ] && echo 0 || echo 1)" "the write error is counted"
batch again >"$T/b"
post "$T/b"
is "$CODE" 503 "still full: still 503"
ok "$(all_json "$MNT/raw.jsonl" && echo 0 || echo 1)" "no line is torn: the partial write was cut off"

# Room again: ingestd notices by itself.
if [ $MODE = tmpfs ]; then
	rm "$MNT/filler"
else
	prlimit --pid "$IPID" --fsize=unlimited:unlimited
fi
wait_for 10 sh -c "curl -s -o /dev/null -w '%{http_code}' $URL/healthz | grep -q 200"
ok $? "GET /healthz is 200 again once there is room"
has "$IERR" "^ingestd: $MNT/raw.jsonl: writable again\$" "the log says so"
batch last >"$T/b"
post "$T/b"
is "$CODE" 200 "events are accepted again"
jq -r .endpoint "$T/b" >>"$T/acked"
stop_ingestd
is_rc 0 "SIGTERM: exit 0"
ok "$(all_json "$MNT/raw.jsonl" && echo 0 || echo 1)" "every line is whole"
jq -r .endpoint "$MNT/raw.jsonl" | sort >"$T/got"
sort "$T/acked" >"$T/want"
same "$T/got" "$T/want" "exactly the acknowledged events are in the file"

# An output that cannot be opened at all is an error at start.
: >"$T/file"
run ingestd -d -p 0 -o "$T/file/raw.jsonl"
is_rc 1 "an output that cannot be created: exit 1"
has "$ERR" "^ingestd: $T/file/raw\.jsonl: Not a directory\$" "with a clear message"
done_testing
