/*
 * redis.h - the one way slowburn opens a Redis connection (hiredis 0.14):
 * for the store's Redis backend (store_redis.c) and for the shard
 * streams (rstream.c).  Includes hiredis; for lib/ only.
 */
#ifndef SB_REDIS_H
#define SB_REDIS_H

#include <stdint.h>

#include <hiredis/hiredis.h>

#include "store.h"

/*
 * Connects to u (2 s to connect, rw_ms for each reply), sends AUTH when
 * u has a password and SELECT when its db is not 0.  The context is the
 * caller's (redisFree()).  NULL on failure, with "connect: why" or
 * "AUTH: why" in err and *transient set when retrying may cure it.
 */
redisContext	*sb_redis_connect(const struct sb_redis_url *u, int64_t rw_ms,
		    char *err, size_t errsz, int *transient);
/*
 * The arguments of one command for redisCommandArgv() and
 * redisAppendCommandArgv(): pointers into the caller's memory, which must
 * outlive the call.  Zeroed to start; reset before each command.
 */
struct sb_redis_cmd {
	const char	**argv;
	size_t		*argl;
	size_t		 argc, argcap;
};

void		 sb_redis_cmd_reset(struct sb_redis_cmd *);
void		 sb_redis_cmd_arg(struct sb_redis_cmd *, const char *, size_t);
void		 sb_redis_cmd_free(struct sb_redis_cmd *);

/* 1 if an error reply says the server is only busy (LOADING, BUSY...). */
int		 sb_redis_transient(const redisReply *);

#endif
