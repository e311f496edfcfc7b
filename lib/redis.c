/*
 * redis.c - connecting to Redis, for store_redis.c and rstream.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "buf.h"
#include "redis.h"

int
sb_redis_transient(const redisReply *rep)
{
	static const char *const codes[] = { "LOADING", "BUSY", "TRYAGAIN",
	    "MASTERDOWN", "CLUSTERDOWN", "MISCONF", NULL };

	for (int i = 0; codes[i] != NULL; i++)
		if (strncmp(rep->str, codes[i], strlen(codes[i])) == 0 &&
		    (rep->str[strlen(codes[i])] == ' ' ||
		    rep->str[strlen(codes[i])] == '\0'))
			return 1;
	return 0;
}

/* Sends one command of argc strings; 0, or -1 with err. */
static int
command(redisContext *c, const char *what, int argc, const char **argv,
    char *err, size_t errsz, int *transient)
{
	redisReply *rep = redisCommandArgv(c, argc, argv, NULL);

	if (rep == NULL) {
		snprintf(err, errsz, "%s: %s", what, c->errstr[0] ? c->errstr :
		    "connection lost");
		*transient = 1;
		return -1;
	}
	if (rep->type == REDIS_REPLY_ERROR) {
		snprintf(err, errsz, "%s: %s", what, rep->str);
		*transient = sb_redis_transient(rep);
		freeReplyObject(rep);
		return -1;
	}
	freeReplyObject(rep);
	return 0;
}

redisContext *
sb_redis_connect(const struct sb_redis_url *u, int64_t rw_ms, char *err,
    size_t errsz, int *transient)
{
	struct timeval tv = { 2, 0 };
	struct timeval rw = { (time_t)(rw_ms / 1000),
	    (suseconds_t)(rw_ms % 1000 * 1000) };
	redisContext *c;
	const char *argv[3];
	char db[16];
	int argc = 0;

	*transient = 1;
	c = redisConnectWithTimeout(u->host, u->port, tv);
	if (c == NULL || c->err) {
		snprintf(err, errsz, "connect: %s", c && c->errstr[0] ?
		    c->errstr : "connection lost");
		if (c != NULL)
			redisFree(c);
		return NULL;
	}
	redisSetTimeout(c, rw);
	if (u->password != NULL) {
		argv[argc++] = "AUTH";
		if (u->user != NULL)
			argv[argc++] = u->user;
		argv[argc++] = u->password;
		if (command(c, "AUTH", argc, argv, err, errsz, transient) == -1)
			goto fail;
	}
	if (u->db != 0) {
		snprintf(db, sizeof db, "%d", u->db);
		argv[0] = "SELECT";
		argv[1] = db;
		if (command(c, "SELECT", 2, argv, err, errsz, transient) == -1)
			goto fail;
	}
	return c;
fail:
	redisFree(c);
	return NULL;
}

void
sb_redis_cmd_reset(struct sb_redis_cmd *c)
{
	c->argc = 0;
}

void
sb_redis_cmd_arg(struct sb_redis_cmd *c, const char *s, size_t n)
{
	if (c->argc == c->argcap) {
		c->argcap = c->argcap ? c->argcap * 2 : 32;
		c->argv = sb_xrealloc(c->argv, c->argcap * sizeof *c->argv);
		c->argl = sb_xrealloc(c->argl, c->argcap * sizeof *c->argl);
	}
	c->argv[c->argc] = s;
	c->argl[c->argc++] = n;
}

void
sb_redis_cmd_free(struct sb_redis_cmd *c)
{
	free(c->argv);
	free(c->argl);
	memset(c, 0, sizeof *c);
}
