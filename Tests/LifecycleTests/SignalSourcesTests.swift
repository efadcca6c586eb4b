import Foundation
import Synchronization
import TestSupport
import Testing

@testable import Lifecycle

/// Signals that land on any thread reach the subscriber: part of the serialized signal suite,
/// since signals reach the whole test process.
extension ServiceGroupSignalTests {
    /// Threads that do not block the signal, each sent it in turn with pthread_kill(3): the
    /// signal is handled on that thread, wherever it is, and must still be delivered.
    @Test func everySignalArrivesWhicheverThreadItLandsOn() async throws {
        let received = Events<Int32>()
        let reader = EventReader(received)
        let sources = await SignalSources.install(signals: [SIGWINCH]) { received.yield($0) }
        defer { sources.cancel() }
        let threads = SpinningThreads(count: 4, unblocking: SIGWINCH)
        defer { threads.stop() }
        let targets = threads.started()
        try #require(targets.count == 4)
        for round in 0..<200 {
            #expect(pthread_kill(targets[round % targets.count], SIGWINCH) == 0)
            // One at a time: two pending signals of one number merge into one.
            #expect(await reader.next() == SIGWINCH, "signal \(round + 1) of 200")
        }
        kill(getpid(), SIGWINCH)
        #expect(await reader.next() == SIGWINCH)
    }

    @Test func aCancelledSubscriptionNoLongerHearsItsSignalAndTheProcessLives() async throws {
        let first = Events<Int32>()
        let second = Events<Int32>()
        let firstReader = EventReader(first)
        let secondReader = EventReader(second)
        let a = await SignalSources.install(signals: [SIGWINCH]) { first.yield($0) }
        let b = await SignalSources.install(signals: [SIGWINCH, SIGURG]) { second.yield($0) }
        defer { b.cancel() }
        kill(getpid(), SIGWINCH)
        #expect(await firstReader.next() == SIGWINCH)
        #expect(await secondReader.next() == SIGWINCH)
        a.cancel()
        first.continuation.finish()
        kill(getpid(), SIGURG)
        #expect(await secondReader.next() == SIGURG)
        kill(getpid(), SIGWINCH)
        #expect(await secondReader.next() == SIGWINCH)
        // The first subscriber heard nothing after it was cancelled.
        #expect(await firstReader.next() == nil)
    }
}

/// Threads that unblock one signal and spin until stopped, publishing their pthread ids.
private final class SpinningThreads: @unchecked Sendable {
    // `published` is read and written only with `lock` held (an NSLock, which the thread
    // sanitizer sees, where it does not see Synchronization's Mutex on Linux).
    private let lock = NSLock()
    private var published: [pthread_t] = []
    private let stopping = Atomic<Bool>(false)
    private let count: Int

    init(count: Int, unblocking number: Int32) {
        self.count = count
        for _ in 0..<count {
            Thread { [self] in
                var set = sigset_t()
                sigemptyset(&set)
                sigaddset(&set, number)
                pthread_sigmask(SIG_UNBLOCK, &set, nil)
                lock.withLock { published.append(pthread_self()) }
                while !stopping.load(ordering: .relaxed) { usleep(200) }
            }.start()
        }
    }

    /// The threads' ids once all have started.
    func started() -> [pthread_t] {
        for _ in 0..<5_000 {
            let current = lock.withLock { published }
            if current.count == count { return current }
            usleep(1_000)
        }
        return lock.withLock { published }
    }

    func stop() { stopping.store(true, ordering: .relaxed) }
}
