# tests/receiver/receiver.sh - sourced by the alert tests after lib.sh:
# starts tests/receiver/receiver.pl on 127.0.0.1 and stops it on exit.
#
#	receiver_start hook		(dir $T/hook; URL in $RECV_URL)
#	echo 500 >"$T/hook/mode"	(answer 500 from now on)
#	receiver_count hook		(requests so far)

_recv_pids=
trap 'for _p in $_recv_pids; do kill "$_p" 2>/dev/null || true; done; rm -rf "$T"' EXIT

receiver_start() {	# receiver_start NAME: $RECV_URL is its base URL
	mkdir -p "$T/$1"
	perl "$TOP/tests/receiver/receiver.pl" "$T/$1" &
	_recv_pids="$_recv_pids $!"
	_i=0
	while [ ! -s "$T/$1/port" ] && [ "$_i" -lt 100 ]; do
		sleep 0.05; _i=$((_i + 1))
	done
	RECV_URL="http://127.0.0.1:$(cat "$T/$1/port")"
}

receiver_count() {	# receiver_count NAME: requests recorded
	if [ -f "$T/$1/log" ]; then lines "$T/$1/log"; else echo 0; fi
}

receiver_wait() {	# receiver_wait NAME N: until N requests (10 s at most)
	_i=0
	while [ "$(receiver_count "$1")" -lt "$2" ] && [ "$_i" -lt 200 ]; do
		sleep 0.05; _i=$((_i + 1))
	done
}

receiver_bodies() {	# receiver_bodies NAME PATH: bodies POSTed to PATH, one a line
	for _h in "$T/$1"/[0-9]*.head; do
		[ -f "$_h" ] || continue
		head -n 1 "$_h" | grep -q "^POST $2 " || continue
		cat "${_h%.head}.body"; echo
	done
}

# receiver_gaps NAME: seconds between consecutive requests, one a line
receiver_gaps() {
	awk 'NR > 1 { printf "%.3f\n", $2 - t } { t = $2 }' "$T/$1/log"
}
