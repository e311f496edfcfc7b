/*
 * detect.h - the command's run state, which detect.c (options, the loop,
 * the signals written) and window.c (a window record read into a
 * struct obs) share.  The engine is model.h and detector.h; the series
 * table and its state file are table.h.
 */
#ifndef DETECT_H
#define DETECT_H

#include <stdint.h>

#include "buf.h"
#include "gate.h"
#include "json.h"
#include "metrics.h"
#include "model.h"
#include "sketch.h"
#include "table.h"
#include "ckpt.h"
#include "winrec.h"

#define PATH_MAX_SEGS	8

/* A --metric path split at its dots once, at start-up. */
struct path {
	char		*copy;
	const char	*seg[PATH_MAX_SEGS];
	int		 nseg;
	int		 wm;		/* seg[0] as a member of run rec
					   (SB_WM_*, lib/winrec), or -1 */
};

struct options {
	struct model_config model;
	struct path	 paths[MODEL_MAX_METRICS];
	const char	*state;
	uint64_t	 state_every;	/* windows between checkpoints; 0 = exit only */
	int		 state_paced;	/* the default: also by the saves' cost */
	size_t		 max_series;	/* series kept at most (memory bound) */
	size_t		 max_line;
	int64_t		 max_ahead;	/* ms; 0: no gate */
	int		 forward;
	int		 no_watermark;	/* --no-watermark */
	int		 tee;
	int		 strict;
	struct sb_metrics_opt metrics;
};

/* The parts of one window record that detect uses. */
struct window {
	struct obs	 obs;
	int64_t		 width;		/* ms */
	long		 key_tok, service_tok, method_tok, endpoint_tok;
	long		 codes_tok;	/* an object, or -1 */
};

struct run {
	struct sb_window rec;		/* the record's members (lib/winrec) */
	struct options	*opt;
	struct sb_json	 js;
	struct sb_buf	 out;
	struct sb_buf	 key;		/* unescaped key of the current window */
	struct table	 series;
	uint64_t	 nwindows;
	uint64_t	 stale;
	uint64_t	 overflow;	/* windows of series beyond --max-series */
	int64_t		 max_end;	/* newest window end seen; 0: none */
	struct sb_state	*state;		/* --state, or NULL */
	int64_t		 saved_ns;	/* monotonic end of the last save */
	int64_t		 save_ns;	/* how long it took */
	uint64_t	 saves;		/* of the state, every kind */
	struct sb_ckpt_stage ck;	/* loads it; checkpoint records */
	struct sb_sketch sketch;	/* --slo latency: a window's sketch */
	struct sb_gate	 gate;		/* --max-ahead, by window end */
	uint64_t	 windows_in, other_in;	/* for --metrics-file */
	uint64_t	 signals, watermarks, teed, forwarded;
};

void	 path_split(struct path *, const char *);
void	 path_free(struct path *);
/* 0, or -1 with why set to the message for sb_reader_bad(). */
int	 window_read(struct run *, struct window *, char *why, size_t whysz);

#endif
