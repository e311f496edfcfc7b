/* correlate's sigrec.h: one source for the three tools. */
#include "../correlate/sigrec.h"
