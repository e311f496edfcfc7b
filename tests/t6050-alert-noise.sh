#!/bin/sh
# alert: noise control in event time: silences, inhibition of warnings by
# a critical alert of the same service, repeats, resolves.
. "$(dirname "$0")/lib.sh"

a() {	# a ID STATE SEVERITY SERVICE KEY AT
	printf '{"type":"alert","id":"%s","state":"%s","severity":"%s","service":"%s","key":"%s %s","started":"2026-11-26T14:00:00Z","at":"2026-11-26T%s:00Z"}\n' "$1" "$2" "$3" "$4" "$4" "$5" "$6"
}
got() { jq -r '.id + " " + .state' "$T/got" | tr '\n' ,; rm -f "$T/got"; }

# Repeats: a firing alert again within --repeat-interval is not sent
# again; after it, it is; a change of severity always is.
{
	a r1 firing warning s1 'GET /a' 14:00
	a r1 updated warning s1 'GET /a' 15:00
	a r1 updated critical s1 'GET /a' 15:30
	a r1 updated critical s1 'GET /a' 19:31
	a r1 resolved critical s1 'GET /a' 19:40
} >"$T/rep"
run alert --exec "cat >>$T/got" --repeat-interval 4h "$T/rep"
is_rc 0 "repeat: exit 0"
is "$(got)" "r1 firing,r1 updated,r1 updated,r1 resolved," "repeat: within 4h only news; after 4h again"
run alert --exec "cat >>$T/got" --repeat-interval 4h --send-resolved no "$T/rep"
is "$(got)" "r1 firing,r1 updated,r1 updated," "--send-resolved no: no resolve"
run alert --format json --exec "cat >>$T/got" "$T/rep"
is "$(lines "$OUT")" 5 "the console and json still show every record"
rm -f "$T/got"

# Inhibition: a firing critical mutes warnings of the same service.
{
	a c1 firing critical pay 'POST /pay' 14:00
	a w1 firing warning pay 'GET /cart' 14:01
	a w2 firing warning other 'GET /x' 14:02
	a w1 resolved warning pay 'GET /cart' 14:05
	a c1 resolved critical pay 'POST /pay' 14:10
	a w3 firing warning pay 'GET /cart' 14:11
} >"$T/inh"
run alert --exec "cat >>$T/got" "$T/inh"
is_rc 0 "inhibit: exit 0"
is "$(got)" "c1 firing,w2 firing,c1 resolved,w3 firing," "inhibit: warnings of pay muted while c1 fires"
has "$ERR" '^alert: inhibited by critical c1: warning firing pay GET /cart \(id w1\)$' "an inhibited alert is recorded"
has "$ERR" 'not sending the resolve of w1' "so is its resolve"
# One group per key: the notifications are then one per alert, in time.
run alert --exec "cat >>$T/got" --inhibit no --group-by key "$T/inh"
is "$(got)" "c1 firing,w1 firing,w2 firing,w1 resolved,c1 resolved,w3 firing," "--inhibit no"

# Silences, in event time, in a file.
S=$T/sil.jsonl
run alert silence add --silences "$S" --match 'key~/api/export' --starts 2026-11-26T14:00Z --for 2h --comment 'export job'
is_rc 0 "silence add: exit 0"
id=$(cat "$OUT")
has "$OUT" '^[0-9a-f]{8}$' "silence add prints the id"
run alert silence list --silences "$S"
has "$OUT" "^$id (active|expired|pending) 2026-11-26T14:00:00.000Z 2026-11-26T16:00:00.000Z key~/api/export # export job$" "silence list"
{
	a x1 firing warning api 'GET /api/export' 14:30
	a x2 firing warning api 'GET /api/orders' 14:31
	a x3 firing warning api 'GET /api/export/all' 16:30
} >"$T/sil"
run alert --silences "$S" --exec "cat >>$T/got" --group-by key "$T/sil"
is_rc 0 "silenced: exit 0"
is "$(got)" "x2 firing,x3 firing," "the silence mutes matching alerts inside its time only"
has "$ERR" "^alert: silenced by $id: warning firing api GET /api/export \\(id x1\\)$" "a silenced alert is recorded"
run alert --silences "$S" "$T/sil"
hasnt "$OUT" 'id x1' "not on the console either"
run alert silence expire --silences "$S" "$id"
is_rc 0 "silence expire: exit 0"
run alert silence list --silences "$S"
has "$OUT" "^$id expired " "listed as expired"
run alert silence expire --silences "$S" deadbeef
is_rc 1 "expiring an unknown id: exit 1"
run alert silence add --silences "$S" --match 'nope~x' --for 1h
is_rc 2 "an unknown label: usage error"
run alert silence add --silences "$S" --match 'key~/a'
is_rc 2 "no --for or --until: usage error"

# Silences in the storage backend's state area.
STORAGE_BACKEND=sqlite SQLITE_DB_PATH=$T/alerts.db
export STORAGE_BACKEND SQLITE_DB_PATH
run alert silence add --match 'service=api' --match 'severity=warning' --starts 2026-11-26T14:00Z --until 2026-11-26T15:00Z
is_rc 0 "silence add into the store"
run alert --exec "cat >>$T/got" "$T/sil"
is "$(got)" "x3 firing," "the store's silence applies"
done_testing
