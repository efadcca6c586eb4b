/// The process-wide limiter: a `RateLimiterCore` token bucket plus a cap on requests in flight.
///
/// Share one instance among every client of a process (`ThreadsClient` takes it in its
/// initializer), so that all rules, syncs and manual commands spend one budget.
/// `acquire()` first waits for a free slot (FIFO), then for the bucket's start time, so a
/// token is never spent by a request that cannot go out yet.
public actor RateLimiter {
    private var core: RateLimiterCore
    private let clock: any APIClock
    public nonisolated let concurrency: Int
    private var inFlight = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private var waitersHead = 0

    public init(rate: Double, burst: Int, concurrency: Int, clock: any APIClock = SystemAPIClock()) {
        self.clock = clock
        self.concurrency = max(1, concurrency)
        core = RateLimiterCore(settings: .init(rate: rate, burst: Double(max(1, burst))), now: clock.now())
    }

    /// A limiter for `configuration`'s `RequestsPerSecond=`, `Burst=` and `Concurrency=`.
    public init(configuration: APIConfiguration, clock: any APIClock = SystemAPIClock()) {
        self.init(
            rate: configuration.requestsPerSecond, burst: configuration.effectiveBurst,
            concurrency: configuration.concurrency, clock: clock)
    }

    /// Waits for a slot and a token; returns the start time to quote in `release(_:)`.
    ///
    /// Every successful `acquire()` must be followed by exactly one `release(_:)`. When the
    /// bucket or a pause (`Retry-After`, an exhausted server) would start the request after
    /// `deadline`, it throws `RateLimitDeadline` at once instead of waiting in vain.
    public func acquire(deadline: Double = .infinity) async throws -> Double {
        if inFlight < concurrency {
            inFlight += 1
        } else {
            // The slot is handed over by `releaseSlot()`, which leaves `inFlight` unchanged.
            await withCheckedContinuation { waiters.append($0) }
        }
        do {
            while true {
                try Task.checkCancellation()
                let start = core.reserve(now: clock.now())
                if start > deadline {
                    core.cancelReservation()
                    throw RateLimitDeadline(startsAt: start, deadline: deadline)
                }
                if start > clock.now() {
                    do {
                        try await clock.sleep(until: start)
                    } catch {
                        core.cancelReservation()
                        throw error
                    }
                }
                // A pause that began while this request slept holds it too.
                let now = clock.now()
                if core.pausedUntil <= now { return now }
            }
        } catch {
            releaseSlot()
            throw error
        }
    }

    /// Frees the slot and lets the answer (nil: no answer) adapt the rate.
    public func release(_ feedback: RateFeedback?) {
        if let feedback { core.record(feedback, now: clock.now()) }
        releaseSlot()
    }

    /// The rate in effect now, and how many times it was lowered.
    public func currentRate() -> (rate: Double, decreases: Int, pausedFor: Double) {
        let now = clock.now()
        return (core.rate(at: now), core.decreases, max(0, core.pausedUntil - now))
    }

    private func releaseSlot() {
        if waitersHead < waiters.count {
            let next = waiters[waitersHead]
            waitersHead += 1
            if waitersHead > 64, waitersHead * 2 > waiters.count {
                waiters.removeFirst(waitersHead)
                waitersHead = 0
            }
            next.resume()
        } else {
            inFlight -= 1
        }
    }
}

/// The limiter would hold a request past its caller's deadline.
public struct RateLimitDeadline: Error, Sendable, Hashable {
    /// When the request could start (limiter time).
    public var startsAt: Double
    public var deadline: Double
}
