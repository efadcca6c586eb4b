import CProcess

/// Hands the free pages inside the heap back to the kernel.
///
/// Loading 1,000 rule files leaves about 2 MiB of freed chunks between live ones; glibc gives
/// memory back by itself only from the top of the heap, so the idle daemon kept them resident
/// (docs/BENCHMARKS.md). Called once a start or a reload has settled.
enum HeapTrim {
    static func releaseFreePages() {
        _ = threadkeeper_release_free_heap()
    }
}
