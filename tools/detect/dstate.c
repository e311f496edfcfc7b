/*
 * dstate.c - the named members of a detector's state (detector.h) as
 * JSON, written and read back exactly, for the state file (state.c).
 */
#include <stdio.h>
#include <string.h>

#include "detector.h"

static int
dm_zero(const struct dmember *mb, const char *p)
{
	switch (mb->type) {
	case DM_DOUBLE:
	case DM_RING:
		for (int i = 0; i < mb->n; i++)
			if (((const double *)(const void *)p)[i] != 0)
				return 0;
		return 1;
	case DM_INT:
		return *(const int *)(const void *)p == 0;
	case DM_U32:
		return *(const uint32_t *)(const void *)p == 0;
	case DM_I64:
		return *(const int64_t *)(const void *)p == 0;
	case DM_OBJ:
		for (int i = 0; i < mb->nsub; i++)
			if (!dm_zero(&mb->sub[i], p + mb->sub[i].off))
				return 0;
		return 1;
	case DM_RETIRED:
		return 1;
	}
	return 1;
}

void
dm_put_numbers(struct sb_buf *b, const double *v, int n)
{
	if (n > 1)
		sb_buf_putc(b, '[');
	for (int i = 0; i < n; i++) {
		if (i > 0)
			sb_buf_putc(b, ',');
		sb_buf_json_num_exact(b, v[i]);
	}
	if (n > 1)
		sb_buf_putc(b, ']');
}

int
dm_put(struct sb_buf *b, const char *name, const struct dmember *mb, int n,
    const void *st)
{
	const char *base = st;
	int any = 0;

	for (int i = 0; i < n; i++) {
		const char *p = base + mb[i].off;

		if (dm_zero(&mb[i], p))
			continue;
		if (!any++)
			sb_buf_printf(b, "\"%s\":{", name);
		else
			sb_buf_putc(b, ',');
		if (mb[i].type == DM_OBJ) {
			(void)dm_put(b, mb[i].name, mb[i].sub, mb[i].nsub, p);
			continue;
		}
		sb_buf_printf(b, "\"%s\":", mb[i].name);
		switch (mb[i].type) {
		case DM_DOUBLE:
			dm_put_numbers(b, (const double *)(const void *)p,
			    mb[i].n);
			break;
		case DM_RING:
			/* Newest first: the head is where the ring starts. */
			dm_put_numbers(b, (const double *)(const void *)p +
			    *(const int *)(const void *)(base + mb[i].aux),
			    mb[i].n);
			break;
		case DM_INT:
			sb_buf_json_int(b, *(const int *)(const void *)p);
			break;
		case DM_U32:
			sb_buf_json_int(b, *(const uint32_t *)(const void *)p);
			break;
		case DM_I64:
			sb_buf_json_int(b, *(const int64_t *)(const void *)p);
			break;
		case DM_OBJ:
		case DM_RETIRED:
			break;
		}
	}
	if (any)
		sb_buf_putc(b, '}');
	return any > 0;
}

int
dm_get_numbers(const struct sb_json *js, size_t t, double *v, int n)
{
	if (n == 1)
		return sb_json_number(js, t, v);
	if (js->tok[t].type != SB_JARRAY || js->tok[t].size != (size_t)n)
		return -1;
	t++;
	for (int i = 0; i < n; i++, t = js->tok[t].skip)
		if (sb_json_number(js, t, &v[i]) == -1)
			return -1;
	return 0;
}

int
dm_get(const struct sb_json *js, size_t obj, const char *name,
    const struct dmember *mb, int n, void *st, char *why, size_t whysz)
{
	char *base = st;
	size_t k;

	if (js->tok[obj].type != SB_JOBJECT) {
		snprintf(why, whysz, "'%s' is not an object", name);
		return -1;
	}
	k = obj + 1;
	for (size_t j = 0; j < js->tok[obj].size; j++, k = js->tok[k + 1].skip) {
		const struct dmember *m = NULL;
		size_t v = k + 1;
		int64_t iv;
		char *p;
		int rc;

		for (int i = 0; i < n && m == NULL; i++)
			if (sb_json_streq(js, k, mb[i].name))
				m = &mb[i];
		if (m == NULL) {
			snprintf(why, whysz, "'%s' has a member '%.*s' this "
			    "detect does not know", name,
			    (int)(js->tok[k].end - js->tok[k].start),
			    js->src + js->tok[k].start);
			return -1;
		}
		p = base + m->off;
		switch (m->type) {
		case DM_DOUBLE:
			rc = dm_get_numbers(js, v, (double *)(void *)p, m->n);
			break;
		case DM_RING:
			rc = dm_get_numbers(js, v, (double *)(void *)p, m->n);
			if (rc == 0) {
				memcpy(p + m->n * sizeof(double), p,
				    m->n * sizeof(double));
				*(int *)(void *)(base + m->aux) = 0;
			}
			break;
		case DM_INT:
			rc = sb_json_int(js, v, &iv);
			if (rc == 0 && (iv < 0 || iv > 1 << 30))
				rc = -1;
			*(int *)(void *)p = (int)iv;
			break;
		case DM_U32:
			rc = sb_json_int(js, v, &iv);
			if (rc == 0 && (iv < 0 || iv > UINT32_MAX))
				rc = -1;
			*(uint32_t *)(void *)p = (uint32_t)iv;
			break;
		case DM_I64:
			rc = sb_json_int(js, v, &iv);
			*(int64_t *)(void *)p = iv;
			break;
		case DM_OBJ:
			if (dm_get(js, v, m->name, m->sub, m->nsub, p, why,
			    whysz) == -1)
				return -1;
			rc = 0;
			break;
		case DM_RETIRED:
			rc = 0;
			break;
		default:
			rc = -1;
		}
		if (rc == -1) {
			snprintf(why, whysz, "'%s' of '%s' is not %s", m->name,
			    name, m->type == DM_DOUBLE || m->type == DM_RING ?
			    (m->n > 1 ? "an array of numbers" : "a number") :
			    "an integer in range");
			return -1;
		}
	}
	return 0;
}
