/// The process-wide limiter: a `RateLimiterCore` token bucket plus a cap on requests in flight.
///
/// Share one instance among every client of a process (`ThreadsClient` takes it in its
/// initializer), so that all rules, syncs and manual commands spend one budget.
/// `acquire()` first waits for a free slot (FIFO), then for its turn at the bucket (FIFO), and
/// takes its token at the instant it returns. A token reserved ahead and slept for would be
/// spent at the time the bucket planned, while the request goes out whenever its task is woken:
/// on a loaded machine, late wake-ups would bunch and the server would see more than
/// `rate + burst` in a second. Taken at the grant instant, no window of `t` seconds ever holds
/// more than `burst + rate·t` grants, however late the sleeps end.
public actor RateLimiter {
    private var core: RateLimiterCore
    private let clock: any APIClock
    public nonisolated let concurrency: Int
    private var inFlight = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private var waitersHead = 0
    /// A request is at the bucket: it alone sleeps for the next token.
    private var bucketBusy = false
    /// Requests holding a slot and waiting for their turn at the bucket, first come first.
    private var bucketQueue: [BucketWaiter] = []

    private struct BucketWaiter {
        var deadline: Double
        /// Resumed with nil for its turn, or with the earliest start it could have (past its deadline).
        var continuation: CheckedContinuation<Double?, Never>
    }

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
    /// `deadline`, it throws `RateLimitDeadline` at once instead of waiting in vain; so does a
    /// request queued behind one that will not start before that deadline.
    public func acquire(deadline: Double = .infinity) async throws -> Double {
        if inFlight < concurrency {
            inFlight += 1
        } else {
            // The slot is handed over by `releaseSlot()`, which leaves `inFlight` unchanged.
            await withCheckedContinuation { waiters.append($0) }
        }
        do {
            if bucketBusy {
                let refused = await withCheckedContinuation { bucketQueue.append(BucketWaiter(deadline: deadline, continuation: $0)) }
                if let startsAt = refused { throw RateLimitDeadline(startsAt: startsAt, deadline: deadline) }
            } else {
                bucketBusy = true
            }
            defer { passBucketTurn() }
            return try await takeToken(deadline: deadline)
        } catch {
            releaseSlot()
            throw error
        }
    }

    /// Sleeps until the bucket has a token and takes it at the instant it is granted.
    private func takeToken(deadline: Double) async throws -> Double {
        while true {
            try Task.checkCancellation()
            let now = clock.now()
            // `reserve` honours a pause too: its start is never before `pausedUntil`.
            let start = core.reserve(now: now)
            if start <= now { return now }
            // Nothing else runs on the actor between the two calls, so the token goes back exactly.
            core.cancelReservation()
            if start > deadline { throw RateLimitDeadline(startsAt: start, deadline: deadline) }
            refuseQueuedWaiters(startingNoEarlierThan: start)
            try await clock.sleep(until: start)
        }
    }

    /// Those queued behind a request that starts at `start` start later still: each whose
    /// deadline comes first is told now instead of waiting for it in vain.
    private func refuseQueuedWaiters(startingNoEarlierThan start: Double) {
        guard bucketQueue.contains(where: { $0.deadline < start }) else { return }
        var kept: [BucketWaiter] = []
        for waiter in bucketQueue {
            if waiter.deadline < start {
                waiter.continuation.resume(returning: start)
            } else {
                kept.append(waiter)
            }
        }
        bucketQueue = kept
    }

    private func passBucketTurn() {
        if bucketQueue.isEmpty {
            bucketBusy = false
        } else {
            bucketQueue.removeFirst().continuation.resume(returning: nil)
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
