/*
 * payload.c - alert records turned into what Alertmanager receivers,
 * Slack and PagerDuty expect; see payload.h and alert(1), PAYLOADS.
 */
#include <stdlib.h>
#include <string.h>

#include "alertrec.h"
#include "hash.h"
#include "level.h"
#include "payload.h"
#include "sigrec.h"
#include "timefmt.h"

/* Slack's documented limits (api.slack.com/reference/block-kit). */
#define SLACK_SECTION_MAX	3000
#define SLACK_HEADER_MAX	150
#define SLACK_FIELD_MAX		2000
#define SLACK_BLOCKS_MAX	50
#define SLACK_TEXT_MAX		3000
/* PagerDuty: payload.summary is at most 1024 characters. */
#define PD_SUMMARY_MAX		1024

static const char ELLIPSIS[] = "\xe2\x80\xa6";	/* U+2026 */

static void
get_numbers(struct alert_view *a, const struct sb_json *js)
{
	long t = sb_json_member(js, 0, "signals");
	struct sb_buf b = SB_BUF_INIT;

	if (t < 0 || js->tok[t].type != SB_JARRAY)
		return;
	for (size_t i = (size_t)t + 1; i < js->tok[t].skip &&
	    a->nnumbers < AV_MAX_NUMBERS; i = js->tok[i].skip) {
		struct sb_signal s;
		char why[120];
		double r;

		if (sb_signal_read(&s, js, i, why, sizeof why) == -1)
			continue;
		sb_buf_reset(&b);
		sb_buf_printf(&b, "%s %g", s.metric, s.value);
		r = sb_signal_ratio(&s);
		if ((s.has & SB_SIG_BASELINE) && r > 0)
			sb_buf_printf(&b, " (baseline %g, %.2fx)", s.baseline, r);
		else if (s.has & SB_SIG_BASELINE)
			sb_buf_printf(&b, " (baseline %g)", s.baseline);
		sb_buf_printf(&b, " by %s", s.detector);
		a->numbers[a->nnumbers++] = sb_xstrdup(b.s);
		sb_signal_free(&s);
	}
	sb_buf_free(&b);
}

/* Moves *s into the view, or a copy of dflt when the record has none. */
static char *
take(char **s, const char *dflt)
{
	char *v = *s;

	*s = NULL;
	return v != NULL || dflt == NULL ? v : sb_xstrdup(dflt);
}

int
av_read(struct alert_view *a, const struct sb_json *js)
{
	struct sb_alert r;
	char why[64];

	memset(a, 0, sizeof *a);
	if (sb_alert_read(&r, js, 0, SB_ALERT_LOOSE, why, sizeof why) == -1)
		return -1;
	if (r.id != NULL)
		a->given |= AV_GIVEN_ID;
	if (r.severity != NULL)
		a->given |= AV_GIVEN_SEVERITY;
	a->key = take(&r.key, NULL);
	a->state = take(&r.state, NULL);
	a->id = take(&r.id, "");
	a->severity = take(&r.severity, sb_level_name(SB_LV_WARNING));
	a->level = sb_level_parse(a->severity);
	a->service = take(&r.service, "");
	a->summary = take(&r.summary, NULL);
	a->explanation = take(&r.explanation, NULL);
	a->has_started = (r.has & SB_AL_STARTED) != 0;
	a->started = r.started;
	if (a->has_started)
		a->given |= AV_GIVEN_STARTED;
	if (r.has & SB_AL_AT) {
		a->at = r.at;
		a->given |= AV_GIVEN_AT;
	} else
		a->at = a->has_started ? a->started : 0;
	if (!a->has_started) {
		a->started = a->at;
		a->has_started = 1;
	}
	a->has_resolved = (r.has & SB_AL_RESOLVED) != 0;
	a->resolved = r.resolved;
	if (a->has_resolved)
		a->given |= AV_GIVEN_RESOLVED;
	if (!a->has_resolved && av_resolved(a)) {
		a->resolved = a->at;
		a->has_resolved = 1;
	}
	a->insights = r.insights;
	a->ninsights = r.ninsights;
	a->recs = r.recs;
	a->nrecs = r.nrecs;
	r.insights = r.recs = NULL;
	r.ninsights = r.nrecs = 0;
	sb_alert_free(&r);
	get_numbers(a, js);
	return 0;
}

void
av_free(struct alert_view *a)
{
	free(a->id);
	free(a->state);
	free(a->severity);
	free(a->key);
	free(a->service);
	free(a->summary);
	free(a->explanation);
	for (size_t i = 0; i < a->ninsights; i++)
		free(a->insights[i]);
	free(a->insights);
	for (size_t i = 0; i < a->nrecs; i++)
		free(a->recs[i]);
	free(a->recs);
	for (size_t i = 0; i < a->nnumbers; i++)
		free(a->numbers[i]);
	memset(a, 0, sizeof *a);
}

static char *
dup_or_null(const char *s)
{
	return s != NULL ? sb_xstrdup(s) : NULL;
}

static char **
dup_list(char *const *v, size_t n)
{
	char **c;

	if (n == 0)
		return NULL;
	c = sb_xcalloc(n, sizeof *c);
	for (size_t i = 0; i < n; i++)
		c[i] = sb_xstrdup(v[i]);
	return c;
}

void
av_copy(struct alert_view *dst, const struct alert_view *src)
{
	*dst = *src;
	dst->id = sb_xstrdup(src->id);
	dst->state = sb_xstrdup(src->state);
	dst->severity = sb_xstrdup(src->severity);
	dst->key = sb_xstrdup(src->key);
	dst->service = sb_xstrdup(src->service);
	dst->summary = dup_or_null(src->summary);
	dst->explanation = dup_or_null(src->explanation);
	dst->insights = dup_list(src->insights, src->ninsights);
	dst->recs = dup_list(src->recs, src->nrecs);
	for (size_t i = 0; i < src->nnumbers; i++)
		dst->numbers[i] = sb_xstrdup(src->numbers[i]);
}

int
av_resolved(const struct alert_view *a)
{
	return strcmp(a->state, "resolved") == 0;
}

static void
upper(struct sb_buf *b, const char *s)
{
	for (; *s != '\0'; s++)
		sb_buf_putc(b, *s >= 'a' && *s <= 'z' ? *s - 'a' + 'A' : *s);
}

void
av_title(const struct alert_view *a, struct sb_buf *b)
{
	sb_buf_putc(b, '[');
	upper(b, av_resolved(a) ? "resolved" : a->severity);
	sb_buf_printf(b, "] %s %s", a->state, a->key);
	if (a->summary != NULL)
		sb_buf_printf(b, ": %s", a->summary);
}

/*
 * Where to cut s (n > max bytes) so that the cut and an ellipsis fit in
 * max bytes: never inside a UTF-8 sequence, nor inside an "&amp;" style
 * entity when entities is set, and at a space when one is near.
 */
static size_t
cut_point(const char *s, size_t max, int entities)
{
	size_t cut = max - (sizeof ELLIPSIS - 1), sp;

	while (cut > 0 && ((unsigned char)s[cut] & 0xc0) == 0x80)
		cut--;
	for (sp = cut; entities && sp > 0 && cut - sp < 8; sp--)
		if (s[sp - 1] == ';')
			break;
		else if (s[sp - 1] == '&') {
			cut = sp - 1;
			break;
		}
	for (sp = cut; sp > 0 && cut - sp < 80; sp--)
		if (s[sp] == ' ' || s[sp] == '\n')
			break;
	if (sp > 0 && cut - sp < 80)
		cut = sp;
	while (cut > 0 && (s[cut - 1] == ' ' || s[cut - 1] == '\n'))
		cut--;
	return cut;
}

void
text_truncate(struct sb_buf *b, const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n <= max) {
		sb_buf_add(b, s, n);
		return;
	}
	if (max < sizeof ELLIPSIS - 1)
		return;
	sb_buf_add(b, s, cut_point(s, max, 0));
	sb_buf_puts(b, ELLIPSIS);
}

/* A JSON string of at most max bytes of s (before JSON escaping). */
static void
json_str_max(struct sb_buf *b, const char *s, size_t max)
{
	struct sb_buf t = SB_BUF_INIT;

	text_truncate(&t, s, max);
	sb_buf_json_str(b, t.s != NULL ? t.s : "", t.len);
	sb_buf_free(&t);
}

static void
json_str(struct sb_buf *b, const char *s)
{
	sb_buf_json_str(b, s, strlen(s));
}

/*
 * Alertmanager webhook v4 (prometheus.io/docs/alerting/latest/configuration,
 * <webhook_config>).  Go marshals label maps with sorted keys; so do we.
 */
static void
am_labels(struct sb_buf *b, const struct alert_view *a)
{
	sb_buf_puts(b, "{\"alertname\":\"slowburn\"");
	if (*a->id != '\0') {
		sb_buf_puts(b, ",\"id\":");
		json_str(b, a->id);
	}
	sb_buf_puts(b, ",\"key\":");
	json_str(b, a->key);
	if (*a->service != '\0') {
		sb_buf_puts(b, ",\"service\":");
		json_str(b, a->service);
	}
	sb_buf_puts(b, ",\"severity\":");
	json_str(b, a->severity);
	sb_buf_putc(b, '}');
}

static void
join_lines(struct sb_buf *b, char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			sb_buf_putc(b, '\n');
		sb_buf_puts(b, v[i]);
	}
}

/* RFC 3986 percent-encoding of all but the unreserved characters. */
static void
url_escape(struct sb_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
		    c == '~')
			sb_buf_putc(b, (char)c);
		else
			sb_buf_printf(b, "%%%c%c", hex[c >> 4], hex[c & 15]);
	}
}

void
am_incident_url(struct sb_buf *b, const char *external_url,
    const struct alert_view *a)
{
	char t[SB_TIME_LEN];

	sb_buf_printf(b, "%s/alerts?key=", external_url);
	url_escape(b, a->key);
	sb_buf_printf(b, "&since=%s", sb_time_format(a->started, t));
}

/* FNV-1a 64, as prometheus/common/model/fnv.go. */
static const unsigned char label_sep = 0xff;	/* model.SeparatorByte */

static uint64_t
fnv_label(uint64_t h, const char *name, const char *value)
{
	h = sb_fnv1a64_str(h, name);
	h = sb_fnv1a64(h, &label_sep, 1);
	h = sb_fnv1a64_str(h, value);
	return sb_fnv1a64(h, &label_sep, 1);
}

/* The labels of am_labels(), in the same (sorted) order. */
uint64_t
am_fingerprint(const struct alert_view *a)
{
	uint64_t h = SB_FNV64_INIT;

	h = fnv_label(h, "alertname", "slowburn");
	if (*a->id != '\0')
		h = fnv_label(h, "id", a->id);
	h = fnv_label(h, "key", a->key);
	if (*a->service != '\0')
		h = fnv_label(h, "service", a->service);
	return fnv_label(h, "severity", a->severity);
}

/* Keys sorted, as Go marshals a map: dashboard first. */
static void
am_annotations(struct sb_buf *b, const struct alert_view *a,
    const char *external_url)
{
	struct sb_buf t = SB_BUF_INIT;

	sb_buf_putc(b, '{');
	if (external_url != NULL) {
		am_incident_url(&t, external_url, a);
		sb_buf_puts(b, "\"dashboard\":");
		sb_buf_json_str(b, t.s, t.len);
		sb_buf_putc(b, ',');
		sb_buf_reset(&t);
	}
	if (a->explanation != NULL) {
		sb_buf_puts(b, "\"description\":");
		json_str(b, a->explanation);
		sb_buf_putc(b, ',');
	}
	if (a->ninsights > 0) {
		join_lines(&t, a->insights, a->ninsights);
		sb_buf_puts(b, "\"insights\":");
		sb_buf_json_str(b, t.s, t.len);
		sb_buf_putc(b, ',');
		sb_buf_reset(&t);
	}
	if (a->nrecs > 0) {
		join_lines(&t, a->recs, a->nrecs);
		sb_buf_puts(b, "\"recommendations\":");
		sb_buf_json_str(b, t.s, t.len);
		sb_buf_putc(b, ',');
		sb_buf_reset(&t);
	}
	sb_buf_puts(b, "\"summary\":");
	if (a->summary != NULL)
		json_str(b, a->summary);
	else {
		av_title(a, &t);
		sb_buf_json_str(b, t.s, t.len);
	}
	sb_buf_putc(b, '}');
	sb_buf_free(&t);
}

static const char *
group_value(const struct alert_view *a, const char *group_by)
{
	if (strcmp(group_by, "service") == 0 && *a->service != '\0')
		return a->service;
	return a->key;
}

static const char *
group_label(const struct alert_view *a, const char *group_by)
{
	return strcmp(group_by, "service") == 0 && *a->service != '\0' ?
	    "service" : "key";
}

/* Labels every alert of the group shares, as Alertmanager computes them. */
static void
am_common_labels(struct sb_buf *b, const struct alert_view *const *v, size_t n)
{
	int same_id = 1, same_key = 1, same_svc = 1, same_sev = 1;

	for (size_t i = 1; i < n; i++) {
		same_id &= strcmp(v[i]->id, v[0]->id) == 0;
		same_key &= strcmp(v[i]->key, v[0]->key) == 0;
		same_svc &= strcmp(v[i]->service, v[0]->service) == 0;
		same_sev &= strcmp(v[i]->severity, v[0]->severity) == 0;
	}
	sb_buf_puts(b, "{\"alertname\":\"slowburn\"");
	if (same_id && *v[0]->id != '\0') {
		sb_buf_puts(b, ",\"id\":");
		json_str(b, v[0]->id);
	}
	if (same_key) {
		sb_buf_puts(b, ",\"key\":");
		json_str(b, v[0]->key);
	}
	if (same_svc && *v[0]->service != '\0') {
		sb_buf_puts(b, ",\"service\":");
		json_str(b, v[0]->service);
	}
	if (same_sev) {
		sb_buf_puts(b, ",\"severity\":");
		json_str(b, v[0]->severity);
	}
	sb_buf_putc(b, '}');
}

void
payload_alertmanager(struct sb_buf *b, const struct alert_view *const *v,
    size_t n, const char *group_by, const char *external_url)
{
	const char *label = group_label(v[0], group_by);
	const char *value = group_value(v[0], group_by);
	struct sb_buf gk = SB_BUF_INIT, u = SB_BUF_INIT;
	int firing = 0;

	for (size_t i = 0; i < n; i++)
		firing |= !av_resolved(v[i]);
	/*
	 * The route "{}" and the group labels, as model.LabelSet.String()
	 * writes them: Go's %q quotes printable text as JSON does.
	 */
	sb_buf_printf(&gk, "{}:{alertname=\"slowburn\", %s=", label);
	json_str(&gk, value);
	sb_buf_putc(&gk, '}');
	sb_buf_puts(b, "{\"version\":\"4\",\"groupKey\":");
	sb_buf_json_str(b, gk.s, gk.len);
	sb_buf_puts(b, ",\"truncatedAlerts\":0,\"status\":");
	json_str(b, firing ? "firing" : "resolved");
	sb_buf_puts(b, ",\"receiver\":\"slowburn\",\"groupLabels\":"
	    "{\"alertname\":\"slowburn\",");
	json_str(b, label);
	sb_buf_putc(b, ':');
	json_str(b, value);
	sb_buf_puts(b, "},\"commonLabels\":");
	am_common_labels(b, v, n);
	sb_buf_puts(b, ",\"commonAnnotations\":");
	if (n == 1)
		am_annotations(b, v[0], external_url);
	else
		sb_buf_puts(b, "{}");
	sb_buf_puts(b, ",\"externalURL\":");
	json_str(b, external_url != NULL ? external_url : "");
	sb_buf_puts(b, ",\"alerts\":[");
	for (size_t i = 0; i < n; i++) {
		const struct alert_view *a = v[i];

		if (i > 0)
			sb_buf_putc(b, ',');
		sb_buf_puts(b, "{\"status\":");
		json_str(b, av_resolved(a) ? "resolved" : "firing");
		sb_buf_puts(b, ",\"labels\":");
		am_labels(b, a);
		sb_buf_puts(b, ",\"annotations\":");
		am_annotations(b, a, external_url);
		sb_buf_puts(b, ",\"startsAt\":");
		sb_buf_json_time(b, a->started);
		sb_buf_puts(b, ",\"endsAt\":");
		if (a->has_resolved)
			sb_buf_json_time(b, a->resolved);
		else
			sb_buf_puts(b, "\"0001-01-01T00:00:00Z\"");
		sb_buf_reset(&u);
		if (external_url != NULL)
			am_incident_url(&u, external_url, a);
		sb_buf_puts(b, ",\"generatorURL\":");
		sb_buf_json_str(b, u.s != NULL ? u.s : "", u.len);
		sb_buf_printf(b, ",\"fingerprint\":\"%016llx\"}",
		    (unsigned long long)am_fingerprint(a));
	}
	sb_buf_puts(b, "]}");
	sb_buf_free(&gk);
	sb_buf_free(&u);
}

/* prometheus.io/docs/alerting/latest/clients: the API v2 postable alert. */
void
payload_am_alert(struct sb_buf *b, const struct alert_view *a,
    const char *external_url)
{
	sb_buf_puts(b, "{\"labels\":");
	am_labels(b, a);
	sb_buf_puts(b, ",\"annotations\":");
	am_annotations(b, a, external_url);
	sb_buf_puts(b, ",\"startsAt\":");
	sb_buf_json_time(b, a->started);
	if (av_resolved(a)) {
		sb_buf_puts(b, ",\"endsAt\":");
		sb_buf_json_time(b, a->has_resolved ? a->resolved : a->at);
	}
	if (external_url != NULL) {
		struct sb_buf u = SB_BUF_INIT;
		am_incident_url(&u, external_url, a);
		sb_buf_puts(b, ",\"generatorURL\":");
		sb_buf_json_str(b, u.s, u.len);
		sb_buf_free(&u);
	}
	sb_buf_putc(b, '}');
}

void
am_alert_ended(struct sb_buf *b, const char *obj, size_t len, int64_t at)
{
	if (len == 0 || obj[len - 1] != '}')
		return;
	sb_buf_add(b, obj, len - 1);
	sb_buf_puts(b, ",\"endsAt\":");
	sb_buf_json_time(b, at);
	sb_buf_putc(b, '}');
}

/* Slack mrkdwn: &, < and > are control characters and must be escaped. */
static void
mrkdwn_escape(struct sb_buf *b, const char *s)
{
	for (; *s != '\0'; s++)
		switch (*s) {
		case '&': sb_buf_puts(b, "&amp;"); break;
		case '<': sb_buf_puts(b, "&lt;"); break;
		case '>': sb_buf_puts(b, "&gt;"); break;
		default: sb_buf_putc(b, *s);
		}
}

static void
mrkdwn_section(struct sb_buf *b, const char *mrkdwn)
{
	size_t n = strlen(mrkdwn);

	sb_buf_puts(b, "{\"type\":\"section\",\"text\":{\"type\":\"mrkdwn\",\"text\":");
	if (n <= SLACK_SECTION_MAX)
		sb_buf_json_str(b, mrkdwn, n);
	else {
		struct sb_buf t = SB_BUF_INIT;
		sb_buf_add(&t, mrkdwn, cut_point(mrkdwn, SLACK_SECTION_MAX, 1));
		sb_buf_puts(&t, ELLIPSIS);
		sb_buf_json_str(b, t.s, t.len);
		sb_buf_free(&t);
	}
	sb_buf_puts(b, "}}");
}

static void
slack_field(struct sb_buf *b, int *first, const char *title, const char *value)
{
	struct sb_buf t = SB_BUF_INIT;

	sb_buf_printf(&t, "*%s*\n", title);
	mrkdwn_escape(&t, value);
	if (!*first)
		sb_buf_putc(b, ',');
	*first = 0;
	sb_buf_puts(b, "{\"type\":\"mrkdwn\",\"text\":");
	json_str_max(b, t.s, SLACK_FIELD_MAX);
	sb_buf_putc(b, '}');
	sb_buf_free(&t);
}

static const char *
slack_emoji(const struct alert_view *a)
{
	if (av_resolved(a))
		return ":white_check_mark:";
	if (a->level == SB_LV_CRITICAL)
		return ":red_circle:";
	if (a->level == SB_LV_WARNING)
		return ":warning:";
	return ":information_source:";
}

static void
human_time(struct sb_buf *b, int64_t t)
{
	struct sb_buf j = SB_BUF_INIT;

	sb_buf_json_time(&j, t);	/* "2026-11-26T14:06:00.000Z" */
	sb_buf_printf(b, "%.10s %.8sZ", j.s + 1, j.s + 12);
	sb_buf_free(&j);
}

static void
slack_list(struct sb_buf *t, const char *title, char *const *v, size_t n)
{
	sb_buf_printf(t, "*%s*", title);
	for (size_t i = 0; i < n; i++) {
		sb_buf_puts(t, "\n\xe2\x80\xa2 ");	/* U+2022 bullet */
		mrkdwn_escape(t, v[i]);
	}
}

/* The blocks of one alert; returns how many were appended. */
static int
slack_alert_blocks(struct sb_buf *b, const struct alert_view *a)
{
	struct sb_buf t = SB_BUF_INIT, s = SB_BUF_INIT;
	int nb = 0, first = 1;

	sb_buf_printf(&t, "%s %s: %s", slack_emoji(a),
	    av_resolved(a) ? "RESOLVED" : (upper(&s, a->severity), s.s),
	    a->key);
	sb_buf_puts(b, "{\"type\":\"header\",\"text\":{\"type\":\"plain_text\","
	    "\"emoji\":true,\"text\":");
	json_str_max(b, t.s, SLACK_HEADER_MAX);
	sb_buf_puts(b, "}}");
	nb++;
	sb_buf_reset(&t);
	if (a->summary != NULL) {
		sb_buf_putc(&t, '*');
		mrkdwn_escape(&t, a->summary);
		sb_buf_putc(&t, '*');
		sb_buf_putc(b, ',');
		mrkdwn_section(b, t.s);
		nb++;
		sb_buf_reset(&t);
	}
	sb_buf_puts(b, ",{\"type\":\"section\",\"fields\":[");
	slack_field(b, &first, "Severity", a->severity);
	slack_field(b, &first, "State", a->state);
	if (*a->service != '\0')
		slack_field(b, &first, "Service", a->service);
	sb_buf_reset(&s);
	human_time(&s, a->started);
	slack_field(b, &first, "Started", s.s);
	sb_buf_reset(&s);
	human_time(&s, a->has_resolved ? a->resolved : a->at);
	slack_field(b, &first, a->has_resolved ? "Resolved" : "At", s.s);
	if (*a->id != '\0')
		slack_field(b, &first, "Alert id", a->id);
	sb_buf_puts(b, "]}");
	nb++;
	if (a->nnumbers > 0) {
		slack_list(&t, "Key numbers", a->numbers, a->nnumbers);
		sb_buf_putc(b, ',');
		mrkdwn_section(b, t.s);
		nb++;
		sb_buf_reset(&t);
	}
	if (a->explanation != NULL) {
		mrkdwn_escape(&t, a->explanation);
		sb_buf_putc(b, ',');
		mrkdwn_section(b, t.s);
		nb++;
		sb_buf_reset(&t);
	}
	if (a->ninsights > 0) {
		slack_list(&t, "Insights", a->insights, a->ninsights);
		sb_buf_putc(b, ',');
		mrkdwn_section(b, t.s);
		nb++;
		sb_buf_reset(&t);
	}
	if (a->nrecs > 0) {
		slack_list(&t, "Recommendations", a->recs, a->nrecs);
		sb_buf_putc(b, ',');
		mrkdwn_section(b, t.s);
		nb++;
	}
	sb_buf_free(&t);
	sb_buf_free(&s);
	return nb;
}

#define SLACK_ALERT_BLOCKS_MAX	8	/* slack_alert_blocks() and a divider */

void
payload_slack(struct sb_buf *b, const struct alert_view *const *v, size_t n)
{
	struct sb_buf t = SB_BUF_INIT;
	int nb = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (i > 0)
			sb_buf_putc(&t, '\n');
		av_title(v[i], &t);
	}
	sb_buf_puts(b, "{\"text\":");
	json_str_max(b, t.s, SLACK_TEXT_MAX);
	sb_buf_puts(b, ",\"blocks\":[");
	for (i = 0; i < n; i++) {
		/* Keep room for the closing "and N more" context block. */
		if (nb + SLACK_ALERT_BLOCKS_MAX > SLACK_BLOCKS_MAX - 1)
			break;
		if (i > 0) {
			sb_buf_puts(b, ",{\"type\":\"divider\"},");
			nb++;
		}
		nb += slack_alert_blocks(b, v[i]);
	}
	if (i < n)
		sb_buf_printf(b, ",{\"type\":\"context\",\"elements\":[{\"type\":"
		    "\"mrkdwn\",\"text\":\"and %zu more alerts\"}]}", n - i);
	sb_buf_puts(b, "]}");
	sb_buf_free(&t);
}

/* PagerDuty's four: ours, and its own "error" passed through. */
static const char *
pd_severity(const struct alert_view *a)
{
	if (a->level == SB_LV_CRITICAL || a->level == SB_LV_INFO ||
	    strcmp(a->severity, "error") == 0)
		return a->severity;
	return "warning";
}

static void
pd_strings(struct sb_buf *b, const char *name, char *const *v, size_t n)
{
	sb_buf_printf(b, ",\"%s\":[", name);
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			sb_buf_putc(b, ',');
		json_str(b, v[i]);
	}
	sb_buf_putc(b, ']');
}

/* developer.pagerduty.com/docs/events-api-v2/trigger-events */
void
payload_pagerduty(struct sb_buf *b, const struct alert_view *a,
    const char *routing_key)
{
	struct sb_buf t = SB_BUF_INIT;

	sb_buf_puts(b, "{\"routing_key\":");
	json_str(b, routing_key);
	sb_buf_puts(b, ",\"event_action\":");
	json_str(b, av_resolved(a) ? "resolve" : "trigger");
	sb_buf_puts(b, ",\"dedup_key\":");
	json_str(b, a->id);
	if (av_resolved(a)) {
		sb_buf_putc(b, '}');
		return;
	}
	if (a->summary != NULL)
		sb_buf_puts(&t, a->summary);
	else
		av_title(a, &t);
	sb_buf_puts(b, ",\"payload\":{\"summary\":");
	json_str_max(b, t.s, PD_SUMMARY_MAX);
	sb_buf_puts(b, ",\"source\":");
	json_str(b, *a->service != '\0' ? a->service : a->key);
	sb_buf_puts(b, ",\"severity\":");
	json_str(b, pd_severity(a));
	sb_buf_puts(b, ",\"timestamp\":");
	sb_buf_json_time(b, a->at);
	sb_buf_puts(b, ",\"component\":");
	json_str(b, a->key);
	if (*a->service != '\0') {
		sb_buf_puts(b, ",\"group\":");
		json_str(b, a->service);
	}
	sb_buf_puts(b, ",\"class\":\"slowburn\",\"custom_details\":{\"started\":");
	sb_buf_json_time(b, a->started);
	if (a->explanation != NULL) {
		sb_buf_puts(b, ",\"explanation\":");
		json_str(b, a->explanation);
	}
	pd_strings(b, "numbers", a->numbers, a->nnumbers);
	pd_strings(b, "insights", a->insights, a->ninsights);
	pd_strings(b, "recommendations", a->recs, a->nrecs);
	sb_buf_puts(b, "}},\"client\":\"slowburn\"}");
	sb_buf_free(&t);
}
