/// When to try a failed request again: pure, with time and randomness passed in.
///
/// 429, 500, 502, 503, 504, timeouts and connection resets are retried with exponential
/// backoff and full jitter (a delay drawn uniformly from zero to `baseDelay * 2^(attempt-1)`,
/// capped at `maxDelay`, and never shorter than the server's `Retry-After`), up to
/// `maxAttempts` tries and `deadline` seconds after the first. Every other status (400, 401,
/// 403, 404, 409, 422…) is an answer, not a fault, and is never retried.
public struct RetryPolicy: Sendable, Hashable {
    public var maxAttempts: Int
    public var baseDelay: Double
    public var maxDelay: Double
    /// Seconds after the first attempt after which no retry starts.
    public var deadline: Double

    public init(maxAttempts: Int = 6, baseDelay: Double = 0.25, maxDelay: Double = 20, deadline: Double = 120) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.deadline = deadline
    }

    /// How one attempt ended.
    public enum Outcome: Sendable, Hashable {
        case status(Int)
        case transport(TransportFailure)
    }

    /// Why no retry follows.
    public enum StopReason: Sendable, Hashable {
        /// The outcome is an answer that retrying cannot change.
        case notRetryable
        /// `maxAttempts` tries were made.
        case attemptsExhausted
        /// The next try would start after the deadline.
        case deadlineExceeded
    }

    public enum Decision: Sendable, Hashable {
        case retry(after: Double)
        case stop(StopReason)
    }

    /// Statuses worth another try.
    public static let retryableStatuses: Set<Int> = [429, 500, 502, 503, 504]

    public static func isRetryable(_ outcome: Outcome) -> Bool {
        switch outcome {
        case .status(let status): return retryableStatuses.contains(status)
        case .transport(let failure): return failure.isRetryable
        }
    }

    /// Decides after attempt number `attempt` (1-based) ended with `outcome` at `now`.
    public func decide(
        after outcome: Outcome, attempt: Int, firstAttemptAt: Double, now: Double, retryAfter: Double? = nil,
        using generator: inout some RandomNumberGenerator
    ) -> Decision {
        guard Self.isRetryable(outcome) else { return .stop(.notRetryable) }
        guard attempt < maxAttempts else { return .stop(.attemptsExhausted) }
        var delay = Double.random(in: 0...backoffCap(attempt: attempt), using: &generator)
        if let retryAfter { delay = max(delay, retryAfter) }
        if now + delay > firstAttemptAt + deadline { return .stop(.deadlineExceeded) }
        return .retry(after: delay)
    }

    /// The upper bound of the jittered delay after attempt `attempt`.
    public func backoffCap(attempt: Int) -> Double {
        let exponent = Double(min(max(attempt - 1, 0), 30))
        return min(maxDelay, baseDelay * pow2(exponent))
    }

    private func pow2(_ exponent: Double) -> Double {
        var value = 1.0
        var remaining = Int(exponent)
        while remaining > 0 {
            value *= 2
            remaining -= 1
        }
        return value
    }
}
