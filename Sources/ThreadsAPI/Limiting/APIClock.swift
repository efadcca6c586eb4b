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

/// A small, fast, seedable generator (SplitMix64) for jitter; tests seed it to get fixed delays.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// Seeded from the system's generator.
    public init() {
        var system = SystemRandomNumberGenerator()
        state = system.next()
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
