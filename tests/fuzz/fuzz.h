/*
 * fuzz.h - what the libFuzzer harnesses of tests/fuzz share.
 *
 * Each harness is one file, NAME.c, defining LLVMFuzzerTestOneInput() for
 * one parser of untrusted bytes; `make fuzz` builds it with clang,
 * -fsanitize=fuzzer,address,undefined into build/fuzz/fuzz-NAME and
 * scripts/fuzz runs it (see there).  A harness checks more than "does
 * not crash": it asserts what the parser promises of what it accepts,
 * with FUZZ_CHECK, which aborts so that libFuzzer keeps the input.
 */
#ifndef SB_FUZZ_H
#define SB_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define FUZZ_CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__,	\
		    __LINE__, #cond);					\
		abort();						\
	}								\
} while (0)

int	 LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#endif
