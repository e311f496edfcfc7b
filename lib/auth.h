/*
 * auth.h - who may read: bearer tokens and htpasswd files, for the HTTP
 * servers (dashboard(1); ingestd(8) compares its token the same way).
 *
 * sb_secret_eq() compares a secret in time that depends on the length
 * of the expected one only, never on where the two differ.
 *
 * An htpasswd file holds "user:hash" lines, hashes of crypt(3) as
 * libxcrypt makes them: bcrypt ($2b$, $2y$, htpasswd -B), SHA-512 ($6$,
 * openssl passwd -6), SHA-256 ($5$) or yescrypt ($y$, mkpasswd).  Plain
 * text, DES and MD5 hashes are refused when the file is read, so that a
 * weak file is found at start, not trusted.  Blank lines and lines
 * starting with # are skipped.
 *
 *	struct sb_htpasswd *pw;
 *
 *	if ((pw = sb_htpasswd_load(path, err, sizeof err)) == NULL)
 *		errx(1, "%s", err);
 *	if (sb_htpasswd_check(pw, user, password))
 *		...let in...
 *	sb_htpasswd_free(pw);
 *
 * The set owns its copies; sb_htpasswd_check() is safe from several
 * threads (crypt_r with its own data).
 */
#ifndef SB_AUTH_H
#define SB_AUTH_H

#include <stddef.h>

int	 sb_secret_eq(const char *given, const char *expected);
/*
 * The token of a token file: its first line without trailing white
 * space, a copy the caller frees.  NULL with "PATH: why" in err if the
 * file cannot be read or its first line is empty.
 */
char	*sb_token_read(const char *path, char *err, size_t errsz);

struct sb_htpasswd;

/* NULL with "FILE:LINE: what" (or the file's error) in err. */
struct sb_htpasswd *sb_htpasswd_load(const char *path, char *err, size_t errsz);
/* 1 if user exists and password matches its hash, else 0. */
int	 sb_htpasswd_check(const struct sb_htpasswd *, const char *user,
	    const char *password);
size_t	 sb_htpasswd_count(const struct sb_htpasswd *);
void	 sb_htpasswd_free(struct sb_htpasswd *);

#endif
