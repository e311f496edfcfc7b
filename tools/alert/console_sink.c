/*
 * console_sink.c - one readable block per alert, one line per bare
 * signal; ANSI colours only when asked (alert decides: tty, NO_COLOR,
 * --color).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "json.h"
#include "sigrec.h"
#include "sink.h"
#include "timefmt.h"

#define WIDTH	78

struct console {
	FILE	*fp;
	int	 color;
	int	 blocks;	/* alert blocks written: blank line between */
};

static const char *
sev_color(enum sb_level lv, const char *state)
{
	if (state != NULL && strcmp(state, "resolved") == 0)
		return "\033[1;32m";
	if (lv == SB_LV_CRITICAL)
		return "\033[1;31m";
	if (lv == SB_LV_WARNING)
		return "\033[1;33m";
	return "\033[1;36m";
}

static void
on(struct console *c, const char *esc)
{
	if (c->color)
		fputs(esc, c->fp);
}

static void
off(struct console *c)
{
	if (c->color)
		fputs("\033[0m", c->fp);
}

/* "2026-11-26 14:06:00Z" */
static void
put_time(FILE *fp, int64_t t)
{
	char b[SB_TIME_LEN];

	sb_time_format(t, b);
	b[10] = ' ';
	b[19] = 'Z';
	b[20] = '\0';
	fputs(b, fp);
}

/* Words of text, wrapped at WIDTH after indent spaces; first line after lead. */
static void
wrap(FILE *fp, int indent, const char *lead, const char *text)
{
	int col = indent + (int)strlen(lead);
	const char *p = text;

	fprintf(fp, "%*s%s", indent, "", lead);
	while (*p != '\0') {
		const char *w = p;
		while (*p != '\0' && *p != ' ')
			p++;
		int n = (int)(p - w);
		if (col > indent + (int)strlen(lead) && col + 1 + n > WIDTH) {
			fprintf(fp, "\n%*s", indent + (int)strlen(lead), "");
			col = indent + (int)strlen(lead);
		} else if (col > indent + (int)strlen(lead)) {
			putc(' ', fp);
			col++;
		}
		fwrite(w, 1, (size_t)n, fp);
		col += n;
		while (*p == ' ')
			p++;
	}
	putc('\n', fp);
}

static void
signal_line(struct console *c, const struct sb_signal *s, int indent)
{
	double r = sb_signal_ratio(s);
	char t[SB_TIME_LEN];

	sb_time_format(s->at, t);
	fprintf(c->fp, "%*s", indent, "");
	on(c, "\033[2m");
	fprintf(c->fp, "%.5s", t + 11);
	off(c);
	putc(' ', c->fp);
	on(c, sev_color(sb_signal_level(s), NULL));
	fputs(s->cleared ? "cleared" : "signal", c->fp);
	off(c);
	fprintf(c->fp, " %s %s %s %g", s->key, s->metric,
	    s->dir < 0 ? "down" : "up", s->value);
	if (s->has & SB_SIG_BASELINE)
		fprintf(c->fp, " (baseline %g", s->baseline);
	if ((s->has & SB_SIG_BASELINE) && r > 0)
		fprintf(c->fp, ", %.2fx", r);
	if (s->has & SB_SIG_BASELINE)
		putc(')', c->fp);
	fprintf(c->fp, " by %s", s->detector);
	if (s->has & SB_SIG_SCORE)
		fprintf(c->fp, " score %g", s->score);
	if (s->has & SB_SIG_SINCE) {
		sb_time_format(s->since, t);
		fprintf(c->fp, " since %.5s", t + 11);
	}
	putc('\n', c->fp);
}

/* A list of the view: v is NULL when the record had no non-empty array. */
static void
string_list(struct console *c, char *const *v, size_t n, const char *title)
{
	if (v == NULL)
		return;
	fprintf(c->fp, "  ");
	on(c, "\033[1m");
	fputs(title, c->fp);
	off(c);
	putc('\n', c->fp);
	for (size_t i = 0; i < n; i++)
		wrap(c->fp, 2, "- ", v[i]);
}

/* The alert a already read; js only for what the view does not hold. */
static void
alert_block(struct console *c, const struct alert_view *a,
    const struct sb_json *js)
{
	const char *sev = (a->given & AV_GIVEN_SEVERITY) ? a->severity : NULL;
	long t;
	struct sb_buf b = SB_BUF_INIT;

	if (c->blocks++ > 0)
		putc('\n', c->fp);
	on(c, sev_color(sev != NULL ? a->level : SB_LV_NONE, a->state));
	fprintf(c->fp, "[%s] %s", sev ? sev : "alert", a->state);
	off(c);
	fprintf(c->fp, " %s", a->key);
	if (a->given & AV_GIVEN_ID)
		fprintf(c->fp, " (id %s)", a->id);
	putc('\n', c->fp);
	fputs("  ", c->fp);
	if (a->given & AV_GIVEN_STARTED) {
		fputs("started ", c->fp);
		put_time(c->fp, a->started);
	}
	if (a->given & AV_GIVEN_RESOLVED) {
		fputs(", resolved ", c->fp);
		put_time(c->fp, a->resolved);
	} else if (a->given & AV_GIVEN_AT) {
		fputs(", at ", c->fp);
		put_time(c->fp, a->at);
	}
	putc('\n', c->fp);
	t = sb_json_member(js, 0, "keys");
	if (t >= 0 && js->tok[t].type == SB_JARRAY && js->tok[t].size > 1) {
		for (size_t i = (size_t)t + 1; i < js->tok[t].skip;
		    i = js->tok[i].skip) {
			if (b.len > 0)
				sb_buf_puts(&b, ", ");
			sb_json_str(js, i, &b);
		}
		sb_buf_putc(&b, '\0');
		wrap(c->fp, 2, "endpoints: ", b.s);
	}
	if (a->summary != NULL) {
		on(c, "\033[1m");
		wrap(c->fp, 2, "", a->summary);
		off(c);
	}
	if (a->explanation != NULL)
		wrap(c->fp, 2, "", a->explanation);
	string_list(c, a->insights, a->ninsights, "Insights:");
	string_list(c, a->recs, a->nrecs, "Recommendations:");
	/* Not explained: show the evidence itself. */
	t = sb_json_member(js, 0, "signals");
	if (a->summary == NULL && t >= 0 && js->tok[t].type == SB_JARRAY)
		for (size_t i = (size_t)t + 1; i < js->tok[t].skip;
		    i = js->tok[i].skip) {
			struct sb_signal s;
			char why[120];
			if (sb_signal_read(&s, js, i, why, sizeof why) == 0) {
				signal_line(c, &s, 2);
				sb_signal_free(&s);
			}
		}
	sb_buf_free(&b);
}

static int
console_open(struct sink *s, const struct sink_config *cfg)
{
	struct console *c = sb_xcalloc(1, sizeof *c);

	c->fp = cfg->out;
	c->color = cfg->color;
	s->priv = c;
	return 0;
}

static int
console_deliver(struct sink *s, const struct delivery *d)
{
	struct console *c = s->priv;

	if (d->kind == REC_SIGNAL)
		signal_line(c, d->sig, 0);
	else
		alert_block(c, d->av, d->js);
	return ferror(c->fp) ? -1 : 0;
}

static int
console_flush(struct sink *s)
{
	struct console *c = s->priv;

	return fflush(c->fp) == EOF ? -1 : 0;
}

static int
console_close(struct sink *s)
{
	free(s->priv);
	s->priv = NULL;
	return 0;
}

const struct sink_ops console_sink = {
	"console", console_open, console_deliver, NULL, console_flush, console_close
};
