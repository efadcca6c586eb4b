// Fixed-argument wrappers of what does not import into Swift: prctl(2), which is
// variadic, and renameat2(2), which glibc declares only under _GNU_SOURCE.
// Imported by ThreadsAPI (ProcessHardening) and Ledger (the import spool).
#ifndef THREADKEEPER_CPROCESS_SHIM_H
#define THREADKEEPER_CPROCESS_SHIM_H
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <fcntl.h>
#include <unistd.h>

/// prctl(PR_SET_DUMPABLE, flag): 0 means no core dump, no ptrace by the same user, and
/// /proc/PID files owned by root.
static inline int threadkeeper_set_dumpable(int flag) {
    return prctl(PR_SET_DUMPABLE, (unsigned long)flag, 0UL, 0UL, 0UL);
}

/// rename(2) that fails with EEXIST instead of replacing `target` (RENAME_NOREPLACE).
static inline int threadkeeper_rename_noreplace(const char *source, const char *target) {
    return (int)syscall(SYS_renameat2, AT_FDCWD, source, AT_FDCWD, target, 1U /* RENAME_NOREPLACE */);
}
#endif
