import Rules

/// How long clearing a rule's backlog takes at the account's request budget.
///
/// Counts the requests `ItemWorker` sends per thread: the action's own call (DELETE, or the
/// POST of a tag or untag), the GET before it (tag and untag always read first; delete reads
/// with `Verify=always`, with `Verify=stale` when the ledger's copy is old, and always when it
/// archives) and, with `Archive=yes`, at least one page of messages (100 messages a page). A
/// report rule with `Verify=never` sends nothing. The run's one probe is left out: it is one
/// request per run, not per thread.
public struct ClearanceEstimate: Sendable, Hashable {
    /// Requests each thread takes, at least.
    public var requestsPerThread: Int
    /// Whether a thread may take more (more message pages, or a `Verify=stale` GET counted as sent).
    public var perThreadIsMinimum: Bool
    /// What the requests are, in words: "1 DELETE + 1 GET (Verify=always)".
    public var requestsInWords: String
    public var threads: Int
    public var requestsPerSecond: Double

    public init(rule: Rule, threads: Int, requestsPerSecond: Double) {
        var parts: [String] = []
        var count = 0
        var minimum = false
        let options = rule.options
        switch rule.action {
        case .delete:
            count += 1
            parts.append("1 DELETE")
            if options.archive {
                count += 1
                parts.append("1 GET (Archive=yes reads first)")
            } else if options.verify == .always {
                count += 1
                parts.append("1 GET (Verify=always)")
            } else if options.verify == .stale {
                count += 1
                minimum = true
                parts.append("1 GET when the ledger's copy is stale (Verify=stale, counted for every thread)")
            }
            if options.archive {
                count += 1
                minimum = true
                parts.append("1 or more message pages (Archive=yes, 100 messages a page)")
            }
        case .tag, .untag:
            count = 2
            parts = ["1 GET (tag and untag always read first)", "1 POST"]
        case .report:
            if options.verify != .never {
                count = 1
                parts = ["1 GET (Verify=\(options.verify.rawValue))"]
            } else {
                parts = ["no requests (a report with Verify=never reads only the ledger)"]
            }
        }
        requestsPerThread = count
        perThreadIsMinimum = minimum
        requestsInWords = parts.joined(separator: " + ")
        self.threads = threads
        self.requestsPerSecond = requestsPerSecond
    }

    /// Requests the backlog takes, at least.
    public var requests: Int { threads * requestsPerThread }

    /// Seconds at `requestsPerSecond`, at least.
    public var seconds: Double { requestsPerSecond > 0 ? Double(requests) / requestsPerSecond : 0 }

    /// `4.6 days`, `3.2 hours`, `12 minutes`, `40 seconds`: a duration for people.
    public static func words(seconds: Double) -> String {
        func figure(_ value: Double, _ unit: String) -> String {
            let rounded = (value * 10).rounded() / 10
            let text = rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
            return "\(text) \(unit)\(rounded == 1 ? "" : "s")"
        }
        if seconds >= 2 * 86_400 { return figure(seconds / 86_400, "day") }
        if seconds >= 2 * 3_600 { return figure(seconds / 3_600, "hour") }
        if seconds >= 120 { return figure((seconds / 60).rounded(), "minute") }
        return figure(seconds.rounded(.up), "second")
    }
}
