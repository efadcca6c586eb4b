// prctl(2), which is variadic and so does not import into Swift: a fixed-argument wrapper.
// Imported only by ThreadkeeperCLI.
#ifndef THREADKEEPER_CPROCESS_SHIM_H
#define THREADKEEPER_CPROCESS_SHIM_H
#include <sys/prctl.h>

/// prctl(PR_SET_DUMPABLE, flag): 0 means no core dump, no ptrace by the same user, and
/// /proc/PID files owned by root.
static inline int threadkeeper_set_dumpable(int flag) {
    return prctl(PR_SET_DUMPABLE, (unsigned long)flag, 0UL, 0UL, 0UL);
}
#endif
