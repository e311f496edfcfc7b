#!/bin/sh
# t2030-inject-noise: the diurnal cycle and the noise episodes of
# inject(1) show in the events as documented, and where the truth says.
. "$(dirname "$0")/lib.sh"

S=2026-11-26T00:00:00Z

band() {	# band COUNT MEAN DESCRIPTION: Poisson, 5 standard deviations
	if awk -v n="$1" -v m="$2" 'BEGIN { exit !(n != "" && (n - m)^2 <= 25 * m) }'; then
		ok 0 "$3"
	else
		ok 1 "$3"; diag "count '$1', expected $2 +- 5 sd"
	fi
}

within() {	# within VALUE LO HI DESCRIPTION
	if awk -v x="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(x != "" && x >= lo && x <= hi) }'; then
		ok 0 "$4"
	else
		ok 1 "$4"; diag "got '$1', expected $2 .. $3"
	fi
}

# --- the diurnal cycle ----------------------------------------------------------

# Load 1 + 0.5 sin(2 pi (h - 9) / 24): every hour's count against its
# integral, at a tenth of the traffic to keep the day small.
run inject --start $S --hours 24 --no-noise --rate-scale 0.1
is_rc 0 "a day at --rate-scale 0.1: exit 0"
cp "$OUT" "$T/day"
band "$(lines "$T/day")" 354312 "a day: 41 requests/s on average"
cut -c 26-27 "$T/day" | uniq -c | awk '{ print $2 + 0, $1 }' >"$T/hours"
is "$(awk 'BEGIN { pi = atan2(0, -1); w = 2 * pi / 24 }
    { m = 41.008333 * 0.1 * 3600 * (1 + 0.5 * (cos(w * ($1 - 9)) - cos(w * ($1 - 8))) / w)
      if (($2 - m)^2 > 25 * m) print "hour " $1 ": " $2 " requests, expected " m }
    END { if (NR != 24) print NR " hours" }' "$T/hours")" "" \
    "every hour's count follows the diurnal load"
peak=$(awk '$1 >= 14 && $1 <= 15 { s += $2 } END { print s }' "$T/hours")
trough=$(awk '$1 >= 2 && $1 <= 3 { s += $2 } END { print s }' "$T/hours")
within "$(awk -v a="$peak" -v b="$trough" 'BEGIN { print a / b }')" 2.6 3.4 \
    "14-16 UTC has three times the traffic of 02-04 UTC"

# Latency follows load by +-5%: payment medians at 14-16 and 02-04 UTC.
grep -F '"method":"POST","endpoint":"/api/payments"' "$T/day" |
    awk -F'"' '{ h = substr($4, 12, 2) + 0; l = log(substr($21, 2) + 0) }
    h >= 14 && h <= 15 { p += l; np++ } h >= 2 && h <= 3 { t += l; nt++ }
    END { print exp(p / np - t / nt) }' >"$T/ratio"
within "$(cat "$T/ratio")" 1.06 1.15 "latency at the peak is about 1.05/0.95 of the trough's"

# --- noise episodes ------------------------------------------------------------

# Find a seed whose 6 hours hold a burst, a GC pause, and a deploy on a
# busy service (so that its 5% errors show), from the truth alone.
seed=
for s in $(seq 1 100); do
	inject --start $S --hours 6 --events 0 --truth "$T/truth" --seed "$s"
	if grep -q '"kind":"burst"' "$T/truth" && grep -q '"kind":"gc-pause"' "$T/truth" &&
	    grep -Eq '"kind":"deploy".*"service":"(checkout|payments|catalog)"' "$T/truth"; then
		seed=$s
		break
	fi
done
if [ -n "$seed" ]; then ok 0 "a seed with every kind of noise: $seed"
else ok 1 "a seed with every kind of noise"; seed=1; fi

run inject --start $S --hours 6 --no-diurnal --seed "$seed" --truth "$T/truth"
is_rc 0 "six noisy hours: exit 0"
mv "$OUT" "$T/ev"

# Each episode as "kind key from start end", from ten minutes before it.
jq -r 'def ms: sub("Z$"; ".000Z");
    [.kind, .key, ((.start | sub("\\.000Z$"; "Z") | fromdate) - 600 | todate | ms),
     .start, .end] | join("|")' "$T/truth" >"$T/episodes"

# Per episode: requests before (the ten minutes) and in it; their median
# latency and 5xx; in the episode also the fastest request.
awk -F'|' 'NR == FNR { kind[NR] = $1; key[NR] = $2; from[NR] = $3; start[NR] = $4
	end[NR] = $5; ne = NR; next }
{
	ts = substr($0, 15, 24)
	for (i = 1; i <= ne; i++) {
		if (ts < from[i] || ts >= end[i])
			continue
		split($0, f, "\"")
		path = f[16]
		if (match(path, /\/[0-9a-f-]+$/) &&
		    (substr(path, RSTART + 1) ~ /^[0-9]+$/ || RLENGTH > 16))
			path = substr(path, 1, RSTART) "{id}"
		sub(/\?.*/, "", path)
		if (f[8] " " f[12] " " path != key[i])
			continue
		lat = substr(f[21], 2) + 0
		err = substr(f[19], 2) + 0 >= 500
		ph = ts < start[i] ? "b" : "i"
		n[i, ph]++; l[i, ph] += log(lat); e[i, ph] += err
		if (ph == "i" && (min[i] == "" || lat < min[i]))
			min[i] = lat
		if (ph == "b" && lat >= 300)
			slow[i]++
	}
}
END {
	for (i = 1; i <= ne; i++)
		printf "%s|%s|%s|%s|%d|%d|%.4f|%.4f|%d|%d|%s|%d\n", kind[i], key[i],
		    start[i], end[i], n[i, "b"], n[i, "i"],
		    n[i, "b"] ? exp(l[i, "b"] / n[i, "b"]) : 0,
		    n[i, "i"] ? exp(l[i, "i"] / n[i, "i"]) : 0,
		    e[i, "b"], e[i, "i"], min[i], slow[i]
}' FS='|' "$T/episodes" FS='"' "$T/ev" >"$T/effects"

secs() { jq -rn --arg a "$1" --arg b "$2" \
    '($b | sub("\\.000Z$"; "Z") | fromdate) - ($a | sub("\\.000Z$"; "Z") | fromdate)'; }

# Fields: 1 kind, 2 key, 3 start, 4 end, 5 n before, 6 n in, 7 median
# before, 8 median in, 9 5xx before, 10 5xx in, 11 fastest in, 12 slow before.
while IFS='|' read -r kind key start end nb ni mb mi eb ei fast slowb; do
	case $kind in
	gc-pause)
		if [ "$ni" -gt 0 ]; then ok 0 "gc-pause on $key at $start: has requests"
		else ok 1 "gc-pause on $key at $start: has requests"; fi
		within "$fast" 300 600000 "gc-pause on $key: every request in it takes 300 ms more"
		within "$(awk -v s="$slowb" -v n="$nb" 'BEGIN { print s / n }')" 0 0.05 \
		    "gc-pause on $key: not so before it"
		;;
	burst)
		d=$(secs "$start" "$end")
		within "$(awk -v a="$ni" -v b="$nb" -v d="$d" 'BEGIN { print (a / d) / (b / 600) }')" \
		    2.2 3.9 "burst on $key at $start: three times the traffic for ${d}s"
		within "$(awk -v a="$mi" -v b="$mb" 'BEGIN { print a / b }')" 0.85 1.15 \
		    "burst on $key: latency unchanged"
		;;
	deploy)
		[ "$ni" -ge 100 ] || continue
		within "$(awk -v a="$mi" -v b="$mb" 'BEGIN { print a / b }')" 1.3 1.7 \
		    "deploy on $key at $start: latency x1.5"
		;;
	esac
done <"$T/effects"

# A deploy sets its whole service's 5xx rate to 5% for its minute.
awk -F'|' '$1 == "deploy" { split($2, w, " "); k = w[1] " " $3; n[k] += $6; e[k] += $10 }
    END { for (k in n) print k, n[k], e[k] }' "$T/effects" >"$T/deploys"
while read -r svc start ni ei; do
	[ "$ni" -ge 300 ] || continue
	within "$(awk -v e="$ei" -v n="$ni" 'BEGIN { print e / n }')" 0.02 0.09 \
	    "deploy on $svc at $start: 5% errors"
done <"$T/deploys"

done_testing
