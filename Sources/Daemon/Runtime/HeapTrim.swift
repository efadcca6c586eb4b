import CProcess

/// Hands the free pages inside the heap back to the kernel.
///
/// Loading 1,000 rule files leaves about 2 MiB of freed chunks between live ones; glibc gives
/// memory back by itself only from the top of the heap, so the idle daemon kept them resident
/// (docs/BENCHMARKS.md). Called once a start or a reload has settled.
public enum HeapTrim {
    static func releaseFreePages() {
        _ = threadkeeper_release_free_heap()
    }

    /// Stops glibc from giving each new thread a malloc arena of its own (`M_ARENA_MAX=1`).
    ///
    /// By default every thread that allocates gets an arena, up to eight per core. The daemon's
    /// work moves between the cooperative pool's threads, so a reload's rules and the ones they
    /// replace end up in different arenas, each keeping freed chunks between live ones that
    /// `malloc_trim` cannot return: three reloads of 1,000 rules grew the heap by 0.7–0.9 MiB,
    /// with this call by 0.2–0.6 MiB (docs/BENCHMARKS.md). Arenas created before the call stay
    /// in use. Called first thing by the daemon; a one-shot command keeps glibc's default.
    public static func shareArenas() {
        _ = threadkeeper_share_heap_arenas()
    }
}
