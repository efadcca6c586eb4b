/// A token bucket over all requests: `rate` tokens a second, at most `capacity` saved up.
///
/// Pure: time comes in as monotonic seconds from the caller.
public struct TokenBucket: Sendable, Equatable {
    public let rate: Double
    public let capacity: Double
    public private(set) var tokens: Double
    private var last: Double

    public init(rate: Double, capacity: Double, now: Double) {
        precondition(rate > 0 && capacity >= 1, "a token bucket needs a positive rate and a capacity of at least one")
        self.rate = rate
        self.capacity = capacity
        self.tokens = capacity
        self.last = now
    }

    private mutating func refill(_ now: Double) {
        if now > last {
            tokens = min(capacity, tokens + (now - last) * rate)
            last = now
        }
    }

    /// Takes one token; on refusal returns the seconds until one is available.
    public mutating func take(now: Double) -> Double? {
        refill(now)
        if tokens >= 1 {
            tokens -= 1
            return nil
        }
        return (1 - tokens) / rate
    }

    /// Whole tokens left after the last `take`.
    public var remaining: Int { Int(tokens) }

    /// Seconds until the bucket is full again.
    public var secondsUntilFull: Double { (capacity - tokens) / rate }
}

extension TokenBucket {
    /// A duration as OpenAI writes it in `x-ratelimit-reset-requests`: `120ms`, `1s`, `6m0s`.
    public static func formatReset(_ seconds: Double) -> String {
        if seconds <= 0 { return "0s" }
        if seconds < 1 { return "\(max(1, Int((seconds * 1000).rounded(.up))))ms" }
        let whole = Int(seconds.rounded(.up))
        if whole < 60 { return "\(whole)s" }
        return "\(whole / 60)m\(whole % 60)s"
    }
}
