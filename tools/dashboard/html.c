/*
 * html.c - the pages: overview, endpoint, alert history.
 *
 * Server-rendered HTML with inline SVG and inline CSS; no script at all
 * (auto-refresh is a meta refresh), so the Content-Security-Policy can
 * forbid every script.  Every string from the data goes through
 * html_text(); attributes are always double-quoted, and query values in
 * links are percent-encoded first.
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "data.h"
#include "json.h"
#include "render.h"
#include "timefmt.h"

void
html_text(struct sb_buf *b, const char *s, size_t n)
{
	size_t i, from = 0;
	const char *rep;

	for (i = 0; i < n; i++) {
		switch (s[i]) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default: continue;
		}
		sb_buf_add(b, s + from, i - from);
		sb_buf_puts(b, rep);
		from = i + 1;
	}
	sb_buf_add(b, s + from, n - from);
}

void
html_str(struct sb_buf *b, const char *s)
{
	html_text(b, s, strlen(s));
}

void
url_value(struct sb_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		    c == '.' || c == '~')
			sb_buf_putc(b, c);
		else {
			sb_buf_putc(b, '%');
			sb_buf_putc(b, hex[c >> 4]);
			sb_buf_putc(b, hex[c & 15]);
		}
	}
}

static void
put_time(struct sb_buf *b, int64_t ms)
{
	char t[SB_TIME_LEN];

	if (ms == INT64_MIN) {
		sb_buf_puts(b, "\xe2\x80\x94");		/* em dash */
		return;
	}
	sb_time_format(ms, t);
	t[16] = '\0';			/* 2026-11-26T14:03 */
	t[10] = ' ';
	sb_buf_puts(b, t);
}

static void
put_num(struct sb_buf *b, double v, const char *fmt, const char *unit)
{
	if (isnan(v))
		sb_buf_puts(b, "\xe2\x80\x94");
	else {
		sb_buf_printf(b, fmt, v);
		sb_buf_puts(b, unit);
	}
}

static const char css[] =
    "body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1d2330;background:#f5f6f8}"
    "header{background:#1d2330;color:#fff;padding:8px 16px;display:flex;gap:16px;align-items:center;flex-wrap:wrap}"
    "header a{color:#cfd8ff}header b{font-size:16px}main{padding:12px 16px}"
    "table{border-collapse:collapse;background:#fff;width:100%}"
    "th,td{padding:4px 8px;border-bottom:1px solid #e2e5ea;text-align:left;vertical-align:top}"
    "td.n{text-align:right;font-variant-numeric:tabular-nums}"
    ".health{display:inline-block;min-width:2.5em;text-align:center;border-radius:3px;color:#fff;font-weight:bold}"
    ".h-good{background:#2e8540}.h-fair{background:#c98a00}.h-bad{background:#c0392b}.h-none{background:#888}"
    ".sev{border-radius:3px;padding:0 6px;color:#fff;font-size:12px}"
    ".sev-critical{background:#c0392b}.sev-warning{background:#c98a00}.sev-info{background:#2f6fb3}.sev-none{background:#888}"
    ".card{background:#fff;border:1px solid #e2e5ea;border-left:4px solid #888;margin:8px 0;padding:8px 12px}"
    ".card.critical{border-left-color:#c0392b}.card.warning{border-left-color:#c98a00}.card.info{border-left-color:#2f6fb3}"
    ".muted{color:#667}.active{background:#fff4f2}"
    "svg.chart{background:#fff;border:1px solid #e2e5ea}"
    ".p50{stroke:#2f6fb3}.p95{stroke:#c98a00}.p99{stroke:#c0392b}.err{stroke:#8e44ad}"
    "polyline{fill:none;stroke-width:1.5}.band{fill:#2e8540;fill-opacity:.15}"
    ".mk-start{stroke:#c0392b;stroke-dasharray:4 3}.mk-resolve{stroke:#2e8540;stroke-dasharray:4 3}"
    ".spark{stroke:#2f6fb3}form{display:inline}input{font:inherit}"
    ".legend span{margin-right:12px}.legend .p50{color:#2f6fb3}"
    ".legend .p95{color:#c98a00}.legend .p99{color:#c0392b}.nav a.cur{font-weight:bold;text-decoration:none}";

static void
page_head(struct sb_buf *b, const char *title, const struct view *v)
{
	sb_buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\"><head>"
	    "<meta charset=\"utf-8\">"
	    "<meta name=\"viewport\" content=\"width=device-width\">");
	if (v != NULL && v->refresh > 0)
		sb_buf_printf(b, "<meta http-equiv=\"refresh\" content=\"%d\">",
		    v->refresh);
	sb_buf_puts(b, "<title>");
	html_str(b, title);
	sb_buf_puts(b, " \xe2\x80\x94 slowburn</title><style>");
	sb_buf_puts(b, css);
	sb_buf_puts(b, "</style></head><body><header><b>slowburn</b>"
	    "<a href=\"/\">Overview</a><a href=\"/alerts\">Alerts</a>"
	    "</header><main>\n");
}

static void
page_foot(struct sb_buf *b)
{
	sb_buf_puts(b, "</main></body></html>\n");
}

/* A link to path keeping the view's key and the given range. */
static void
href(struct sb_buf *b, const char *path, const struct view *v,
    const char *range, const char *key)
{
	const char *sep = "?";

	sb_buf_puts(b, path);
	if (key != NULL) {
		sb_buf_puts(b, "?key=");
		url_value(b, key);
		sep = "&amp;";
	}
	if (range != NULL && strcmp(range, "custom") != 0) {
		sb_buf_printf(b, "%srange=%s", sep, range);
	} else if (v != NULL) {
		char t[SB_TIME_LEN];

		sb_buf_printf(b, "%ssince=", sep);
		url_value(b, sb_time_format(v->since, t));
		sb_buf_puts(b, "&amp;until=");
		url_value(b, sb_time_format(v->until, t));
	}
}

/* The range links and the custom range form. */
static void
range_nav(struct sb_buf *b, const char *path, const struct view *v)
{
	static const char *const ranges[] = { "1h", "6h", "24h", "7d" };
	char t[SB_TIME_LEN];

	sb_buf_puts(b, "<p class=\"nav\">Range: ");
	for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++) {
		sb_buf_puts(b, "<a href=\"");
		href(b, path, v, ranges[i], v->key);
		sb_buf_printf(b, "\"%s>last %s</a> ",
		    strcmp(v->range, ranges[i]) == 0 ? " class=\"cur\"" : "",
		    ranges[i]);
	}
	sb_buf_puts(b, "<form method=\"get\" action=\"");
	sb_buf_puts(b, path);
	sb_buf_puts(b, "\">");
	if (v->key != NULL) {
		sb_buf_puts(b, "<input type=\"hidden\" name=\"key\" value=\"");
		html_str(b, v->key);
		sb_buf_puts(b, "\">");
	}
	sb_buf_puts(b, " from <input name=\"since\" size=\"24\" value=\"");
	sb_buf_puts(b, sb_time_format(v->since, t));
	sb_buf_puts(b, "\"> to <input name=\"until\" size=\"24\" value=\"");
	sb_buf_puts(b, sb_time_format(v->until, t));
	sb_buf_puts(b, "\"> <input type=\"submit\" value=\"show\"></form> ");
	sb_buf_puts(b, "<span class=\"muted\">");
	put_time(b, v->since);
	sb_buf_puts(b, " to ");
	put_time(b, v->until);
	sb_buf_puts(b, " UTC</span></p>\n");
}

static const char *
health_class(double h)
{
	if (isnan(h))
		return "h-none";
	return h >= 80 ? "h-good" : h >= 50 ? "h-fair" : "h-bad";
}

static void
sparkline(struct sb_buf *b, const struct dash_series *s, int64_t since,
    int64_t until)
{
	double max = 0, span = (double)(until - since);
	size_t i, n = 0;

	for (i = 0; i < s->n; i++)
		if (!isnan(s->pt[i].p95) && s->pt[i].p95 > max)
			max = s->pt[i].p95;
	for (i = 0; i < s->n; i++)
		n += !isnan(s->pt[i].p95);
	sb_buf_printf(b, "<svg class=\"sparkline\" width=\"120\" height=\"24\" "
	    "viewBox=\"0 0 120 24\" role=\"img\" aria-label=\"p95 latency\">"
	    "<polyline class=\"spark\" data-points=\"%zu\" points=\"", n);
	for (i = 0; i < s->n; i++) {
		const struct dash_point *p = &s->pt[i];

		if (isnan(p->p95))
			continue;
		sb_buf_printf(b, "%.1f,%.1f ",
		    120.0 * (double)(p->t - since) / span,
		    max > 0 ? 23 - 22 * p->p95 / max : 23.0);
	}
	sb_buf_puts(b, "\"/></svg>");
}

static void
severity_badge(struct sb_buf *b, int sev)
{
	sb_buf_printf(b, "<span class=\"sev sev-%s\">%s</span>",
	    sb_level_name(sev), sb_level_name(sev));
}

/* A string member of the object at token obj, escaped; nothing if absent. */
static int
put_member(struct sb_buf *b, const struct sb_json *js, size_t obj,
    const char *name, struct sb_buf *tmp)
{
	long t = sb_json_member(js, obj, name);

	if (t < 0 || js->tok[t].type != SB_JSTRING)
		return 0;
	sb_buf_reset(tmp);
	sb_json_str(js, (size_t)t, tmp);
	html_text(b, tmp->s ? tmp->s : "", tmp->len);
	return 1;
}

static void
put_list(struct sb_buf *b, const struct sb_json *js, const char *name,
    const char *title, const char *cls, struct sb_buf *tmp)
{
	long t = sb_json_member(js, 0, name);
	size_t i, k;

	if (t < 0 || js->tok[t].type != SB_JARRAY || js->tok[t].size == 0)
		return;
	sb_buf_printf(b, "<div class=\"%s\"><b>%s</b><ul>", cls, title);
	for (k = 0, i = (size_t)t + 1; k < js->tok[t].size;
	    k++, i = js->tok[i].skip) {
		if (js->tok[i].type != SB_JSTRING)
			continue;
		sb_buf_reset(tmp);
		sb_json_str(js, i, tmp);
		sb_buf_puts(b, "<li>");
		html_text(b, tmp->s ? tmp->s : "", tmp->len);
		sb_buf_puts(b, "</li>");
	}
	sb_buf_puts(b, "</ul></div>");
}

static void
alert_card(struct sb_buf *b, const struct dash_incident *in,
    const struct view *v)
{
	struct sb_json js;
	struct sb_buf tmp = SB_BUF_INIT;

	sb_buf_printf(b, "<div class=\"card alert %s\" data-id=\"",
	    sb_level_name(in->severity));
	html_str(b, in->id);
	sb_buf_puts(b, "\" data-state=\"");
	html_str(b, in->state);
	sb_buf_puts(b, "\"><p>");
	severity_badge(b, in->severity);
	sb_buf_puts(b, " <b>");
	html_str(b, in->state);
	sb_buf_puts(b, "</b> <span class=\"muted\">#");
	html_str(b, in->id);
	sb_buf_puts(b, " started ");
	put_time(b, in->started);
	sb_buf_puts(b, ", last record ");
	put_time(b, in->at);
	if (in->resolved_at != INT64_MIN) {
		sb_buf_puts(b, ", resolved ");
		put_time(b, in->resolved_at);
	}
	sb_buf_puts(b, "</span></p>");
	sb_json_init(&js);
	if (sb_json_parse(&js, in->line, in->len) == 0) {
		sb_buf_puts(b, "<p class=\"summary\"><b>");
		if (!put_member(b, &js, 0, "summary", &tmp))
			html_str(b, in->key ? in->key : "");
		sb_buf_puts(b, "</b></p><p class=\"explanation\">");
		put_member(b, &js, 0, "explanation", &tmp);
		sb_buf_puts(b, "</p>");
		put_list(b, &js, "insights", "Insights", "insights", &tmp);
		put_list(b, &js, "recommendations", "Recommendations",
		    "recommendations", &tmp);
	}
	sb_buf_puts(b, "<p class=\"muted\">Endpoints: ");
	for (size_t i = 0; i < in->nkeys || (i == 0 && in->key); i++) {
		const char *k = in->nkeys ? in->keys[i] : in->key;

		sb_buf_puts(b, i ? ", <a href=\"" : "<a href=\"");
		href(b, "/endpoint", v, v->range, k);
		sb_buf_puts(b, "\">");
		html_str(b, k);
		sb_buf_puts(b, "</a>");
		if (in->nkeys == 0)
			break;
	}
	sb_buf_puts(b, "</p></div>\n");
	sb_json_free(&js);
	sb_buf_free(&tmp);
}

void
html_overview(struct sb_buf *b, const struct view *v,
    const struct dash_overview *o)
{
	size_t i, nactive = 0;

	page_head(b, "Overview", v);
	sb_buf_puts(b, "<h1>Endpoint health</h1>\n");
	range_nav(b, "/", v);
	sb_buf_puts(b, "<form method=\"get\" action=\"/\">");
	if (strcmp(v->range, "custom") != 0)
		sb_buf_printf(b, "<input type=\"hidden\" name=\"range\" "
		    "value=\"%s\">", v->range);
	sb_buf_puts(b, "Filter endpoints: <input name=\"filter\" value=\"");
	html_str(b, v->filter ? v->filter : "");
	sb_buf_puts(b, "\"> <input type=\"submit\" value=\"filter\"></form>\n");

	for (i = 0; i < o->alerts.n; i++)
		nactive += o->alerts.inc[i].active;
	sb_buf_printf(b, "<h2>Active alerts (%zu)</h2>\n<div id=\"active\">",
	    nactive);
	if (nactive == 0)
		sb_buf_puts(b, "<p class=\"muted\">None.</p>");
	for (i = 0; i < o->alerts.n; i++)
		if (o->alerts.inc[i].active)
			alert_card(b, &o->alerts.inc[i], v);
	sb_buf_puts(b, "</div>\n");

	sb_buf_printf(b, "<h2>Endpoints (%zu)</h2>\n", o->n);
	if (o->sampled)
		sb_buf_puts(b, "<p class=\"muted\">Large range: sparklines "
		    "are sampled.</p>");
	if (o->not_shown > 0)
		sb_buf_printf(b, "<p class=\"muted\">More keys than "
		    "--max-endpoints %zu: %llu windows of further keys are not "
		    "shown; narrow the list with the filter.</p>", o->max_rows,
		    (unsigned long long)o->not_shown);
	sb_buf_puts(b, "<table id=\"endpoints\"><thead><tr><th>Health</th>"
	    "<th>Endpoint</th><th>Alert</th><th>Requests/min</th>"
	    "<th>p95</th><th>Errors</th><th>p95 over the range</th>"
	    "</tr></thead><tbody>\n");
	for (i = 0; i < o->n; i++) {
		const struct dash_row *r = &o->row[i];

		sb_buf_printf(b, "<tr class=\"endpoint%s\" data-health=\"",
		    r->alert != SB_LV_NONE ? " active" : "");
		put_num(b, r->health, "%.0f", "");
		sb_buf_printf(b, "\"><td><span class=\"health %s\" title=\""
		    "latency -%.1f, errors -%.1f, traffic -%.1f, alert -%.0f\">",
		    health_class(r->health), r->pen_latency, r->pen_errors,
		    r->pen_traffic, r->pen_alert);
		put_num(b, r->health, "%.0f", "");
		sb_buf_puts(b, "</span></td><td><a class=\"key\" href=\"");
		href(b, "/endpoint", v, v->range, r->s.key);
		sb_buf_puts(b, "\">");
		html_str(b, r->s.key);
		sb_buf_puts(b, "</a></td><td>");
		if (r->alert != SB_LV_NONE)
			severity_badge(b, r->alert);
		sb_buf_puts(b, "</td><td class=\"n\">");
		put_num(b, r->rate, "%.1f", "");
		sb_buf_puts(b, "</td><td class=\"n\">");
		put_num(b, r->p95, "%.0f", " ms");
		sb_buf_puts(b, "</td><td class=\"n\">");
		put_num(b, isnan(r->err) ? NAN : 100 * r->err, "%.2f", "%");
		sb_buf_puts(b, "</td><td>");
		sparkline(b, &r->s, v->since, v->until);
		sb_buf_puts(b, "</td></tr>\n");
	}
	sb_buf_puts(b, "</tbody></table>\n");
	if (o->n == 0)
		sb_buf_puts(b, "<p class=\"muted\">No windows in this range.</p>");
	page_foot(b);
}

/* The chart geometry. */
#define CW	960.0
#define CL	56.0	/* left margin */
#define CR	12.0
#define CT	10.0
#define CB	22.0

static double
xpos(int64_t t, const struct view *v)
{
	double f = (double)(t - v->since) / (double)(v->until - v->since);

	return CL + f * (CW - CL - CR);
}

static void
axis(struct sb_buf *b, const struct view *v, double h, double max,
    const char *unit)
{
	sb_buf_printf(b, "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" "
	    "stroke=\"#999\"/>", CL, h - CB, CW - CR, h - CB);
	sb_buf_printf(b, "<text x=\"4\" y=\"%.0f\" font-size=\"11\">%.4g%s</text>",
	    CT + 8, max, unit);
	sb_buf_printf(b, "<text x=\"4\" y=\"%.0f\" font-size=\"11\">0</text>",
	    h - CB);
	sb_buf_printf(b, "<text x=\"%.0f\" y=\"%.0f\" font-size=\"11\">", CL,
	    h - 6);
	put_time(b, v->since);
	sb_buf_printf(b, "</text><text x=\"%.0f\" y=\"%.0f\" font-size=\"11\" "
	    "text-anchor=\"end\">", CW - CR, h - 6);
	put_time(b, v->until);
	sb_buf_puts(b, "</text>");
}

static void
marker(struct sb_buf *b, const struct view *v, int64_t t, double h,
    const char *cls, const struct dash_incident *in, const char *what)
{
	double x;

	if (t == INT64_MIN || t < v->since || t > v->until)
		return;
	x = xpos(t, v);
	sb_buf_printf(b, "<line class=\"%s\" x1=\"%.1f\" y1=\"%.0f\" "
	    "x2=\"%.1f\" y2=\"%.0f\"><title>alert ", cls, x, CT, x, h - CB);
	html_str(b, in->id);
	sb_buf_printf(b, " %s ", what);
	put_time(b, t);
	sb_buf_puts(b, "</title></line>");
}

static void
markers(struct sb_buf *b, const struct view *v, const struct dash_alerts *a,
    double h)
{
	for (size_t i = 0; i < a->n; i++) {
		marker(b, v, a->inc[i].started, h, "mk-start", &a->inc[i],
		    "started");
		if (strcmp(a->inc[i].state, "resolved") == 0)
			marker(b, v, a->inc[i].resolved_at, h, "mk-resolve",
			    &a->inc[i], "resolved");
	}
}

static void
line(struct sb_buf *b, const struct dash_series *s, const struct view *v,
    size_t off, const char *cls, double max, double h)
{
	size_t i, n = 0;

	for (i = 0; i < s->n; i++)
		n += !isnan(*(const double *)((const char *)&s->pt[i] + off));
	sb_buf_printf(b, "<polyline class=\"%s\" data-points=\"%zu\" points=\"",
	    cls, n);
	for (i = 0; i < s->n; i++) {
		double y = *(const double *)((const char *)&s->pt[i] + off);

		if (isnan(y))
			continue;
		sb_buf_printf(b, "%.1f,%.1f ", xpos(s->pt[i].t, v),
		    h - CB - (h - CB - CT) * (max > 0 ? y / max : 0));
	}
	sb_buf_puts(b, "\"/>");
}

/*
 * The band is the dashboard's own robust estimate of normal p95 over the
 * range: median +- 3 scaled MADs of the points outside every incident of
 * the key.  detect keeps its baselines to itself; this one is close to
 * what it starts from, and it is what the eye needs.
 */
static void
baseline_band(const struct dash_series *s, const struct dash_alerts *a,
    double *lo, double *hi, double *med)
{
	double *x = sb_xcalloc(s->n + 1, sizeof *x), *d;
	size_t i, k, n = 0;

	for (i = 0; i < s->n; i++) {
		int in = 0;

		if (isnan(s->pt[i].p95))
			continue;
		for (k = 0; k < a->n && !in; k++) {
			int64_t end = a->inc[k].active ? INT64_MAX :
			    a->inc[k].resolved_at;

			in = s->pt[i].t + s->step > a->inc[k].started &&
			    s->pt[i].t < end;
		}
		if (!in)
			x[n++] = s->pt[i].p95;
	}
	*med = dash_median(x, n);
	d = sb_xcalloc(n + 1, sizeof *d);
	for (i = 0; i < n; i++)
		d[i] = fabs(x[i] - *med);
	*hi = *med + 3 * 1.4826 * dash_median(d, n);
	*lo = *med - 3 * 1.4826 * dash_median(d, n);
	if (*lo < 0)
		*lo = 0;
	free(x);
	free(d);
}

static void
signal_row(struct sb_buf *b, const struct sb_json *js, size_t obj,
    const char *key, const char *from, struct sb_buf *tmp)
{
	long k = sb_json_member(js, obj, "key");
	long t;
	double v;

	if (k < 0 || !sb_json_streq(js, (size_t)k, key))
		return;
	sb_buf_puts(b, "<tr class=\"signal\"><td>");
	put_member(b, js, obj, "at", tmp);
	sb_buf_puts(b, "</td><td>");
	put_member(b, js, obj, "metric", tmp);
	sb_buf_puts(b, "</td><td>");
	put_member(b, js, obj, "detector", tmp);
	sb_buf_puts(b, "</td><td>");
	put_member(b, js, obj, "direction", tmp);
	static const char *const nums[] = { "value", "baseline", "score" };
	for (size_t i = 0; i < 3; i++) {
		sb_buf_puts(b, "</td><td class=\"n\">");
		if ((t = sb_json_member(js, obj, nums[i])) >= 0 &&
		    sb_json_number(js, (size_t)t, &v) == 0)
			sb_buf_printf(b, "%.4g", v);
	}
	sb_buf_puts(b, "</td><td>");
	put_member(b, js, obj, "since", tmp);
	sb_buf_puts(b, "</td><td>");
	put_member(b, js, obj, "state", tmp);
	sb_buf_printf(b, "</td><td class=\"muted\">%s</td></tr>\n", from);
}

static void
signals_table(struct sb_buf *b, const char *key, const struct dash_alerts *a,
    const struct sb_buf *lines)
{
	struct sb_json js;
	struct sb_buf tmp = SB_BUF_INIT;
	const char *p, *e, *nl;

	sb_json_init(&js);
	sb_buf_puts(b, "<h2>Signals</h2>\n<table id=\"signals\"><thead><tr>"
	    "<th>At</th><th>Metric</th><th>Detector</th><th>Direction</th>"
	    "<th>Value</th><th>Baseline</th><th>Score</th><th>Since</th>"
	    "<th>State</th><th>From</th></tr></thead><tbody>\n");
	p = lines->s;
	e = p ? p + lines->len : NULL;
	for (; p != NULL && p < e; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(e - p))) == NULL)
			break;
		if (sb_json_parse(&js, p, (size_t)(nl - p)) == 0 &&
		    js.tok[0].type == SB_JOBJECT)
			signal_row(b, &js, 0, key, "signal record", &tmp);
	}
	for (size_t i = 0; i < a->n; i++) {
		long t;
		size_t k, j;

		if (sb_json_parse(&js, a->inc[i].line, a->inc[i].len) == -1 ||
		    (t = sb_json_member(&js, 0, "signals")) < 0 ||
		    js.tok[t].type != SB_JARRAY)
			continue;
		for (k = 0, j = (size_t)t + 1; k < js.tok[t].size;
		    k++, j = js.tok[j].skip)
			if (js.tok[j].type == SB_JOBJECT)
				signal_row(b, &js, j, key, "alert", &tmp);
	}
	sb_buf_puts(b, "</tbody></table>\n");
	sb_json_free(&js);
	sb_buf_free(&tmp);
}

void
html_endpoint(struct sb_buf *b, const struct view *v,
    const struct dash_series *s, const struct dash_alerts *a,
    const struct sb_buf *signals)
{
	double max = 0, emax = 0, lo, hi, med, h = 300, eh = 150;
	size_t i;

	page_head(b, v->key, v);
	sb_buf_puts(b, "<h1 id=\"key\">");
	html_str(b, v->key);
	sb_buf_puts(b, "</h1>\n");
	range_nav(b, "/endpoint", v);
	sb_buf_puts(b, "<p><a href=\"");
	href(b, "/alerts", v, v->range, v->key);
	sb_buf_printf(b, "\">Alert history of this endpoint</a> \xc2\xb7 "
	    "<a href=\"");
	href(b, "/api/series", v, v->range, v->key);
	sb_buf_printf(b, "\">JSON</a> \xc2\xb7 %zu points of %llds%s</p>\n",
	    s->n, (long long)(s->step / 1000),
	    s->sampled ? " (range sampled)" : "");

	for (i = 0; i < s->n; i++) {
		if (!isnan(s->pt[i].p99) && s->pt[i].p99 > max)
			max = s->pt[i].p99;
		if (s->pt[i].count > 0 &&
		    s->pt[i].errors / s->pt[i].count > emax)
			emax = s->pt[i].errors / s->pt[i].count;
	}
	baseline_band(s, a, &lo, &hi, &med);
	if (!isnan(hi) && hi > max)
		max = hi;
	max *= 1.05;
	if (emax < 0.01)
		emax = 0.01;

	sb_buf_puts(b, "<h2>Latency</h2><p class=\"legend\">"
	    "<span class=\"p50\">\xe2\x80\x94 p50</span>"
	    "<span class=\"p95\">\xe2\x80\x94 p95</span>"
	    "<span class=\"p99\">\xe2\x80\x94 p99</span>"
	    "<span>shaded: baseline p95</span>"
	    "<span>dashed: alert start (red), resolve (green)</span></p>\n");
	sb_buf_printf(b, "<svg id=\"latency\" class=\"chart\" width=\"%.0f\" "
	    "height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" "
	    "aria-label=\"latency\">", CW, h, CW, h);
	if (!isnan(med) && max > 0) {
		double y1 = h - CB - (h - CB - CT) * hi / max;
		double y0 = h - CB - (h - CB - CT) * lo / max;

		sb_buf_printf(b, "<rect class=\"band\" x=\"%.0f\" y=\"%.1f\" "
		    "width=\"%.0f\" height=\"%.1f\"><title>baseline p95 %.4g ms "
		    "(%.4g to %.4g)</title></rect>", CL, y1, CW - CL - CR,
		    y0 - y1, med, lo, hi);
	}
	axis(b, v, h, max, " ms");
	line(b, s, v, offsetof(struct dash_point, p50), "p50", max, h);
	line(b, s, v, offsetof(struct dash_point, p95), "p95", max, h);
	line(b, s, v, offsetof(struct dash_point, p99), "p99", max, h);
	markers(b, v, a, h);
	sb_buf_puts(b, "</svg>\n<h2>Error rate</h2>\n");
	sb_buf_printf(b, "<svg id=\"errors\" class=\"chart\" width=\"%.0f\" "
	    "height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" "
	    "aria-label=\"error rate\">", CW, eh, CW, eh);
	axis(b, v, eh, emax * 100, "%");
	sb_buf_printf(b, "<polyline class=\"err\" data-points=\"%zu\" points=\"",
	    s->n);
	for (i = 0; i < s->n; i++) {
		double r = s->pt[i].count > 0 ?
		    s->pt[i].errors / s->pt[i].count : 0;

		sb_buf_printf(b, "%.1f,%.1f ", xpos(s->pt[i].t, v),
		    eh - CB - (eh - CB - CT) * r / emax);
	}
	sb_buf_puts(b, "\"/>");
	markers(b, v, a, eh);
	sb_buf_puts(b, "</svg>\n");

	sb_buf_printf(b, "<h2>Alerts (%zu)</h2>\n", a->n);
	for (i = 0; i < a->n; i++)
		alert_card(b, &a->inc[i], v);
	signals_table(b, v->key, a, signals);
	page_foot(b);
}

void
html_alerts(struct sb_buf *b, const struct view *v,
    const struct dash_alerts *a)
{
	static const char *const states[] = { "", "active", "firing",
	    "updated", "resolved" };
	size_t i;

	page_head(b, "Alerts", v);
	sb_buf_puts(b, "<h1>Alert history</h1>\n");
	range_nav(b, "/alerts", v);
	sb_buf_puts(b, "<form method=\"get\" action=\"/alerts\">");
	if (strcmp(v->range, "custom") != 0)
		sb_buf_printf(b, "<input type=\"hidden\" name=\"range\" "
		    "value=\"%s\">", v->range);
	sb_buf_puts(b, "Endpoint: <input name=\"key\" size=\"40\" value=\"");
	html_str(b, v->key ? v->key : "");
	sb_buf_puts(b, "\"> Severity: <select name=\"severity\">");
	for (int l = SB_LV_NONE; l <= SB_LV_CRITICAL; l++)
		sb_buf_printf(b, "<option value=\"%s\"%s>%s</option>",
		    l == SB_LV_NONE ? "" : sb_level_name(l),
		    l == v->severity ? " selected" : "",
		    l == SB_LV_NONE ? "any" : sb_level_name(l));
	sb_buf_puts(b, "</select> State: <select name=\"state\">");
	for (i = 0; i < 5; i++)
		sb_buf_printf(b, "<option value=\"%s\"%s>%s</option>", states[i],
		    (i == 0 && v->state == NULL) ||
		    (i > 0 && v->state && strcmp(v->state, states[i]) == 0) ?
		    " selected" : "", i ? states[i] : "any");
	sb_buf_puts(b, "</select> <input type=\"submit\" value=\"filter\">"
	    "</form>\n");
	sb_buf_printf(b, "<p>%zu alert%s</p>\n<div id=\"alerts\">", a->n,
	    a->n == 1 ? "" : "s");
	for (i = 0; i < a->n; i++)
		alert_card(b, &a->inc[i], v);
	sb_buf_puts(b, "</div>\n");
	page_foot(b);
}

void
html_error(struct sb_buf *b, int status, const char *msg)
{
	char title[32];

	snprintf(title, sizeof title, "%d", status);
	page_head(b, title, NULL);
	sb_buf_printf(b, "<h1>%d</h1><p class=\"error\">", status);
	html_str(b, msg);
	sb_buf_puts(b, "</p>\n");
	page_foot(b);
}
