/// Monotonic time in seconds, injected so the effectful shells can run on a manual clock.
///
/// The pure cores (`RateLimiterCore`, `RetryPolicy`, `Breaker`) take `now` as an argument
/// and never read a clock themselves.
public protocol APIClock: Sendable {
    /// Seconds since an arbitrary fixed origin.
    func now() -> Double
    /// Suspends until `now() >= deadline`; throws `CancellationError` when cancelled.
    func sleep(until deadline: Double) async throws
}

/// The process's monotonic clock (`ContinuousClock`).
public struct SystemAPIClock: APIClock {
    private let origin: ContinuousClock.Instant

    public init() { origin = ContinuousClock.now }

    public func now() -> Double {
        let elapsed = ContinuousClock.now - origin
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }

    public func sleep(until deadline: Double) async throws {
        let wait = deadline - now()
        guard wait > 0 else { return }
        try await Task.sleep(for: .nanoseconds(Int64(wait * 1e9)))
    }
}
