/// What one answer tells the limiter about the server's budget.
public struct RateFeedback: Sendable, Hashable {
    /// The HTTP status, nil when no answer came.
    public var status: Int?
    /// When the request was sent (limiter time), so that answers to requests sent before the
    /// last slow-down do not slow it down again.
    public var sentAt: Double
    /// `Retry-After` (or `retry-after-ms`) in seconds.
    public var retryAfter: Double?
    /// `x-ratelimit-limit-requests`.
    public var limit: Double?
    /// `x-ratelimit-remaining-requests`.
    public var remaining: Double?
    /// `x-ratelimit-reset-requests` in seconds.
    public var reset: Double?

    public init(
        status: Int?, sentAt: Double, retryAfter: Double? = nil, limit: Double? = nil, remaining: Double? = nil,
        reset: Double? = nil
    ) {
        self.status = status
        self.sentAt = sentAt
        self.retryAfter = retryAfter
        self.limit = limit
        self.remaining = remaining
        self.reset = reset
    }

    /// How fast the server refills the budget, in requests a second, when the answer says: it
    /// refills what is spent (`limit - remaining`) in `reset` seconds. OpenAI's limit is a
    /// minute's budget and its reset the time until it is full again, so after one request of
    /// a 10,000-a-minute budget `remaining` is 9,999 and `reset` 6 ms: 166 a second, the same.
    /// Nil when nothing is spent (no measure) or a header is missing.
    public var refillRate: Double? {
        guard let limit, let reset, limit >= 1, reset > 0 else { return nil }
        let spent = limit - max(0, remaining ?? 0)
        guard spent > 0 else { return nil }
        return spent / reset
    }

    /// Reads the rate-limit headers of an answer (names lower-cased).
    public init(status: Int?, sentAt: Double, headers: [String: String]) {
        self.init(status: status, sentAt: sentAt)
        if let text = headers["retry-after-ms"], let milliseconds = Double(text), milliseconds >= 0 {
            retryAfter = milliseconds / 1000
        } else if let text = headers["retry-after"] {
            retryAfter = Self.parseRetryAfter(text)
        }
        limit = headers["x-ratelimit-limit-requests"].flatMap { Double($0.trimmingSpaces) }
        remaining = headers["x-ratelimit-remaining-requests"].flatMap { Double($0.trimmingSpaces) }
        reset = headers["x-ratelimit-reset-requests"].flatMap(Self.parseDuration)
    }

    /// `Retry-After: 2` or `2.5` seconds; an HTTP date is not honoured (no wall clock here) and reads as 1 s.
    static func parseRetryAfter(_ text: String) -> Double? {
        let trimmed = text.trimmingSpaces
        if let seconds = Double(trimmed), seconds >= 0, seconds.isFinite { return seconds }
        return trimmed.isEmpty ? nil : 1
    }

    /// Durations as OpenAI writes them: `1s`, `6m0s`, `20ms`, `1h2m3.5s`, or bare seconds.
    static func parseDuration(_ text: String) -> Double? {
        let trimmed = text.trimmingSpaces
        if let seconds = Double(trimmed) { return seconds >= 0 ? seconds : nil }
        var total = 0.0
        var number = ""
        var index = trimmed.startIndex
        var sawUnit = false
        while index < trimmed.endIndex {
            let character = trimmed[index]
            if character.isNumber || character == "." {
                number.append(character)
                index = trimmed.index(after: index)
                continue
            }
            var unit = String(character)
            index = trimmed.index(after: index)
            if character == "m", index < trimmed.endIndex, trimmed[index] == "s" {
                unit = "ms"
                index = trimmed.index(after: index)
            }
            guard let value = Double(number) else { return nil }
            switch unit {
            case "h": total += value * 3600
            case "m": total += value * 60
            case "s": total += value
            case "ms": total += value / 1000
            default: return nil
            }
            number = ""
            sawUnit = true
        }
        guard number.isEmpty, sawUnit else { return nil }
        return total
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        var text = Substring(self)
        while text.first == " " || text.first == "\t" { text.removeFirst() }
        while text.last == " " || text.last == "\t" { text.removeLast() }
        return String(text)
    }
}
