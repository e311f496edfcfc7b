/* The compiled-in sigrec.c of correlate: one source for the three tools. */
#include "../correlate/sigrec.c"
