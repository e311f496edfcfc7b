/*
 * test_arg_store.c - lib/arg's storage options: each lands in its member
 * of the store config, over the environment's defaults, and nothing else
 * is touched.
 */
#include <stdlib.h>
#include <string.h>

#include "arg.h"
#include "store.h"
#include "../tap.h"

int
main(void)
{
	struct sb_store_config c, d;

	unsetenv("STORAGE_BACKEND");
	unsetenv("SQLITE_DB_PATH");
	unsetenv("REDIS_URL");
	unsetenv("REDIS_KEY_PREFIX");
	unsetenv("TIMESCALE_CONNECTION_STRING");
	sb_store_config_env(&c);
	is_str(c.backend, "sqlite", "default backend");
	is_str(c.sqlite_path, "data/alerts.db", "default SQLite file");
	is_str(c.redis_url, "redis://localhost:6379/0", "default Redis URL");
	is_str(c.redis_prefix, "alerts:", "default key prefix");
	ok(c.pg_conninfo == NULL, "no TimescaleDB by default");
	is_int(c.max_records, 1000000, "default max records");
	is_int(c.retry_for, 30000, "default retry 30 s");
	setenv("REDIS_URL", "redis://r:1/2", 1);
	sb_store_config_env(&c);
	is_str(c.redis_url, "redis://r:1/2", "REDIS_URL read");

	sb_arg_store(&c, 'b', "redis");
	sb_arg_store(&c, SB_OPT_STORE_SQLITE, "x.db");
	sb_arg_store(&c, SB_OPT_STORE_REDIS, "redis://h:7/1");
	sb_arg_store(&c, SB_OPT_STORE_PREFIX, "p:");
	sb_arg_store(&c, SB_OPT_STORE_PG, "dbname=a");
	is_str(c.backend, "redis", "-b");
	is_str(c.sqlite_path, "x.db", "--sqlite-path");
	is_str(c.redis_url, "redis://h:7/1", "--redis-url");
	is_str(c.redis_prefix, "p:", "--redis-prefix");
	is_str(c.pg_conninfo, "dbname=a", "--timescale");
	d = c;
	sb_arg_store(&c, 'x', "nope");
	ok(memcmp(&c, &d, sizeof c) == 0, "another option changes nothing");
	return done_testing();
}
