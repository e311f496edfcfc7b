/*
 * test_arg.c - sb_opt_check: the command-line rules every tool shares
 * (whole long names, --version, one wording of option errors), walked the
 * way getopt_long(3) walks a command line.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "arg.h"
#include "../tap.h"

static const struct option longopts[] = {
	{ "idle-flush",	required_argument, NULL, 'i' },
	/* A whole name that is also a prefix of another. */
	{ "idle",	no_argument,	   NULL, 'I' },
	{ "strict",	no_argument,	   NULL, 's' },
	{ "color",	optional_argument, NULL, 'c' },
	{ "help",	no_argument,	   NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

/* check "SHORTOPTS" "ARG ..." -> result, the option as reported */
static enum sb_optcheck
check(const char *shortopts, const char *line, char *opt, size_t optsz)
{
	static char buf[512];
	char *argv[32], *tok;
	int argc = 0;

	snprintf(buf, sizeof buf, "prog %s", line);
	for (tok = strtok(buf, " "); tok != NULL && argc < 31;
	    tok = strtok(NULL, " "))
		argv[argc++] = tok;
	argv[argc] = NULL;
	return sb_opt_check(argc, argv, 1, shortopts, longopts, opt, optsz);
}

static void
expect(const char *shortopts, const char *line, enum sb_optcheck want,
    const char *want_opt)
{
	char opt[64];
	enum sb_optcheck got = check(shortopts, line, opt, sizeof opt);

	is_int(got, want, "'%s' (%s): result", line, shortopts);
	if (want != SB_OPT_OK)
		is_str(opt, want_opt, "'%s': reported as '%s'", line, want_opt);
}

int
main(void)
{
	char small[4];

	unsetenv("POSIXLY_CORRECT");
	expect("hw:", "--idle-flush 10s --strict", SB_OPT_OK, "");
	expect("hw:", "--idle-flush=10s file --strict -w 5m", SB_OPT_OK, "");
	expect("hw:", "--idle", SB_OPT_OK, "");
	expect("hw:", "--idle-f 10s", SB_OPT_UNKNOWN, "--idle-f");
	expect("hw:", "--idle-f=10s", SB_OPT_UNKNOWN, "--idle-f");
	expect("hw:", "--str", SB_OPT_UNKNOWN, "--str");
	expect("hw:", "file --str", SB_OPT_UNKNOWN, "--str");
	expect("hw:", "-- --str", SB_OPT_OK, "");
	expect("hw:", "- --str", SB_OPT_UNKNOWN, "--str");
	/* An option's argument is not an option. */
	expect("hw:", "--idle-flush --str", SB_OPT_OK, "");
	expect("hw:", "-w --str", SB_OPT_OK, "");
	expect("hw:", "-w5m --str", SB_OPT_UNKNOWN, "--str");
	expect("hw:", "-hw --str", SB_OPT_OK, "");
	expect("hw:", "-hx", SB_OPT_UNKNOWN, "-x");
	expect("hw:", "-:", SB_OPT_UNKNOWN, "-:");
	expect("hw:", "-w", SB_OPT_NEEDS_ARG, "-w");
	expect("hw:", "-hw", SB_OPT_NEEDS_ARG, "-w");
	expect("hw:", "--strict --idle-flush", SB_OPT_NEEDS_ARG,
	    "--idle-flush");
	expect("hw:", "--strict=1", SB_OPT_NO_ARG, "--strict");
	expect("hw:", "--color --color=always", SB_OPT_OK, "");
	expect("hw:", "--color always", SB_OPT_OK, "");		/* an operand */
	expect("hw:", "--version", SB_OPT_VERSION, "--version");
	expect("hw:", "file -w 5m --version --bogus", SB_OPT_VERSION,
	    "--version");
	expect("hw:", "--bogus --version", SB_OPT_UNKNOWN, "--bogus");
	expect("hw:", "-w --version", SB_OPT_OK, "");
	expect("hw:", "--version=1", SB_OPT_NO_ARG, "--version");
	expect("hw:", "--vers", SB_OPT_UNKNOWN, "--vers");
	/* Options end at the first operand with '+' or POSIXLY_CORRECT. */
	expect("+hw:", "file --str", SB_OPT_OK, "");
	expect("+hw:", "--str file", SB_OPT_UNKNOWN, "--str");
	setenv("POSIXLY_CORRECT", "1", 1);
	expect("hw:", "file --str", SB_OPT_OK, "");
	unsetenv("POSIXLY_CORRECT");
	/* From optind on, as alert silence and store start later. */
	{
		char *argv[] = { "prog", "--bogus", "list", "--strict", NULL };
		char opt[64];

		is_int(sb_opt_check(4, argv, 2, "", longopts, opt, sizeof opt),
		    SB_OPT_OK, "from 2: what comes before is not looked at");
		is_int(sb_opt_check(4, argv, 0, "", longopts, opt, sizeof opt),
		    SB_OPT_UNKNOWN, "from 0: from the first element");
	}
	is_int(check("hw:", "--a-very-long-bogus-option", small, sizeof small),
	    SB_OPT_UNKNOWN, "a small buffer");
	is_str(small, "--a", "  truncated, terminated");
	return done_testing();
}
