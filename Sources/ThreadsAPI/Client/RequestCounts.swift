/// What one client has sent and been answered since it was made, for the metrics file.
///
/// Counted in `ThreadsClient.send`, one per attempt: a call retried twice adds three to
/// `byStatus` (or `unanswered`) and two to `retries`.
public struct RequestCounts: Sendable, Hashable {
    /// Attempts by the HTTP status of their answer.
    public var byStatus: [Int: Int] = [:]
    /// Attempts that got no answer (timeout, refused connection, reset).
    public var unanswered = 0
    /// Attempts answered `429 Too Many Requests`.
    public var rateLimited = 0
    /// Attempts sent again after a failed one (the retry policy's `.retry`).
    public var retries = 0
    /// Times the breaker went from closed or half-open to open.
    public var breakerOpenings = 0

    public init() {}

    /// Every attempt, answered or not.
    public var attempts: Int { byStatus.values.reduce(unanswered, +) }

    /// The sum of two counts: a daemon adds up the clients a reload replaced.
    public static func + (lhs: RequestCounts, rhs: RequestCounts) -> RequestCounts {
        var sum = lhs
        sum.byStatus.merge(rhs.byStatus, uniquingKeysWith: +)
        sum.unanswered += rhs.unanswered
        sum.rateLimited += rhs.rateLimited
        sum.retries += rhs.retries
        sum.breakerOpenings += rhs.breakerOpenings
        return sum
    }
}
