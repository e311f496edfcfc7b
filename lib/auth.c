/*
 * auth.c - tokens and htpasswd files; see auth.h.
 */
#include <crypt.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "buf.h"

struct user {
	char	*name;
	char	*hash;
};

struct sb_htpasswd {
	struct user	*v;
	size_t		 n;
};

int
sb_secret_eq(const char *given, const char *expected)
{
	size_t glen = strlen(given), elen = strlen(expected);
	volatile unsigned char diff = glen != elen;

	for (size_t i = 0; i < elen; i++)
		diff |= (unsigned char)expected[i] ^
		    (unsigned char)(i < glen ? given[i] : 0);
	return diff == 0;
}

char *
sb_token_read(const char *path, char *err, size_t errsz)
{
	char buf[4096];
	FILE *fp;
	size_t n;

	if ((fp = fopen(path, "r")) == NULL) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fgets(buf, sizeof buf, fp) == NULL)
		buf[0] = '\0';
	fclose(fp);
	n = strcspn(buf, "\r\n");
	while (n > 0 && (buf[n - 1] == ' ' || buf[n - 1] == '\t'))
		n--;
	buf[n] = '\0';
	explicit_bzero(buf + n, sizeof buf - n);
	if (n == 0) {
		snprintf(err, errsz, "%s: no token in the first line", path);
		return NULL;
	}
	return sb_xstrdup(buf);
}

static int
strong_hash(const char *h)
{
	static const char *const prefix[] = { "$2b$", "$2y$", "$5$", "$6$",
		"$y$", NULL };

	for (int i = 0; prefix[i] != NULL; i++)
		if (strncmp(h, prefix[i], strlen(prefix[i])) == 0)
			return 1;
	return 0;
}

void
sb_htpasswd_free(struct sb_htpasswd *pw)
{
	if (pw == NULL)
		return;
	for (size_t i = 0; i < pw->n; i++) {
		free(pw->v[i].name);
		free(pw->v[i].hash);
	}
	free(pw->v);
	free(pw);
}

struct sb_htpasswd *
sb_htpasswd_load(const char *path, char *err, size_t errsz)
{
	struct sb_htpasswd *pw;
	FILE *fp;
	char *line = NULL, *colon;
	size_t cap = 0;
	ssize_t len;
	unsigned long lineno = 0;

	if ((fp = fopen(path, "r")) == NULL) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return NULL;
	}
	pw = sb_xcalloc(1, sizeof *pw);
	while ((len = getline(&line, &cap, fp)) != -1) {
		lineno++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len == 0 || line[0] == '#')
			continue;
		if ((colon = strchr(line, ':')) == NULL || colon == line) {
			snprintf(err, errsz, "%s:%lu: not user:hash", path, lineno);
			goto fail;
		}
		*colon = '\0';
		if (!strong_hash(colon + 1)) {
			snprintf(err, errsz, "%s:%lu: user '%s': not a bcrypt, "
			    "SHA-256, SHA-512 or yescrypt hash (htpasswd -B, "
			    "openssl passwd -6, mkpasswd)", path, lineno, line);
			goto fail;
		}
		pw->v = sb_xrealloc(pw->v, (pw->n + 1) * sizeof *pw->v);
		pw->v[pw->n].name = sb_xstrdup(line);
		pw->v[pw->n].hash = sb_xstrdup(colon + 1);
		pw->n++;
	}
	if (ferror(fp)) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (pw->n == 0) {
		snprintf(err, errsz, "%s: no user", path);
		goto fail;
	}
	free(line);
	fclose(fp);
	return pw;
fail:
	free(line);
	fclose(fp);
	sb_htpasswd_free(pw);
	return NULL;
}

int
sb_htpasswd_check(const struct sb_htpasswd *pw, const char *user,
    const char *password)
{
	struct crypt_data *cd;
	const char *h;
	int ok = 0;

	for (size_t i = 0; i < pw->n; i++) {
		if (strcmp(pw->v[i].name, user) != 0)
			continue;
		cd = sb_xcalloc(1, sizeof *cd);	/* about 32 KiB: not the stack */
		h = crypt_r(password, pw->v[i].hash, cd);
		ok = h != NULL && h[0] != '*' && sb_secret_eq(h, pw->v[i].hash);
		free(cd);
		break;
	}
	return ok;
}

size_t
sb_htpasswd_count(const struct sb_htpasswd *pw)
{
	return pw->n;
}
