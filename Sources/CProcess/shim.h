// Fixed-argument wrappers of what does not import into Swift: prctl(2), which is
// variadic, renameat2(2), which glibc declares only under _GNU_SOURCE, and malloc_trim(3),
// which the Glibc module leaves out with <malloc.h>, and posix_spawn_file_actions_addclosefrom_np(3),
// which it leaves out of <spawn.h>.
// Imported by ThreadsAPI (ProcessHardening, the HTTP helper's spawn), Ledger (the import spool) and Daemon (the heap's trim).
#ifndef THREADKEEPER_CPROCESS_SHIM_H
#define THREADKEEPER_CPROCESS_SHIM_H
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <fcntl.h>
#include <malloc.h>
#include <spawn.h>
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

/// mallopt(M_ARENA_MAX, 1): threads that have no malloc arena yet share the existing ones
/// instead of each creating its own; 1 on success.
static inline int threadkeeper_share_heap_arenas(void) {
    return mallopt(M_ARENA_MAX, 1);
}

/// malloc_trim(0): returns the free pages anywhere in the heap to the kernel; 1 when some were.
static inline int threadkeeper_release_free_heap(void) {
    return malloc_trim(0);
}
/// Closes every descriptor from `from` up in the spawned child (glibc 2.34).
static inline int threadkeeper_spawn_close_from(posix_spawn_file_actions_t *actions, int from) {
    return posix_spawn_file_actions_addclosefrom_np(actions, from);
}
#endif
