/// When to try a failed request again: pure, with time and randomness passed in.
///
/// Follows openai-python's `_should_retry`: an `x-should-retry: true` or `false` header decides
/// first; otherwise 408, 409, 429 and every 5xx, timeouts and connection resets are retried
/// with exponential backoff and full jitter (a delay drawn uniformly from zero to
/// `baseDelay * 2^(attempt-1)`, capped at `maxDelay`, and never shorter than the server's
/// `Retry-After`), up to `maxAttempts` tries and `deadline` seconds after the first. Every other
/// status (400, 401, 403, 404, 422…) is an answer, not a fault, and is never retried.
///
/// A request that is not idempotent (`POST /threads` creates a new thread each time it
/// arrives) is not sent again when its answer was lost after it may have arrived (a timeout
/// or a reset): a second try could create a second thread while the first stays unknown.
/// A refused connection proves nothing arrived, and a status is the server's own answer, so
/// both are retried as for any request.
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
        /// A request that is not idempotent may have arrived; its answer was lost.
        case answerLost
    }

    public enum Decision: Sendable, Hashable {
        case retry(after: Double)
        case stop(StopReason)
    }

    /// Statuses worth another try below 500 (every status from 500 up is one too).
    public static let retryableStatuses: Set<Int> = [408, 409, 429]

    /// Whether `outcome` is worth another try; `serverSays` is the answer's `x-should-retry`
    /// (`true` or `false`), which wins over the status as in the official SDK.
    public static func isRetryable(_ outcome: Outcome, serverSays: Bool? = nil) -> Bool {
        switch outcome {
        case .status(let status):
            if let serverSays { return serverSays }
            return retryableStatuses.contains(status) || (500...599).contains(status)
        case .transport(let failure): return failure.isRetryable
        }
    }

    /// `x-should-retry` as the SDK reads it: exactly `true` or `false`, anything else is no advice.
    public static func serverAdvice(_ header: String?) -> Bool? {
        switch header {
        case "true": return true
        case "false": return false
        default: return nil
        }
    }

    /// Decides after attempt number `attempt` (1-based) ended with `outcome` at `now`.
    ///
    /// - Parameters:
    ///   - serverSays: the answer's `x-should-retry` (see `serverAdvice`).
    ///   - idempotent: false for a request that creates something each time it arrives.
    public func decide(
        after outcome: Outcome, attempt: Int, firstAttemptAt: Double, now: Double, retryAfter: Double? = nil,
        serverSays: Bool? = nil, idempotent: Bool = true, using generator: inout some RandomNumberGenerator
    ) -> Decision {
        guard Self.isRetryable(outcome, serverSays: serverSays) else { return .stop(.notRetryable) }
        if !idempotent, case .transport(let failure) = outcome, failure != .cannotConnect { return .stop(.answerLost) }
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
