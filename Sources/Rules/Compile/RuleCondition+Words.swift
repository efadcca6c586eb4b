import Foundation
import Ledger

extension RuleCondition {
    /// Why an age condition does not hold for a thread without `created_at`.
    static let unknownAge =
        "age unknown (imported without created_at), so no age condition matches; 'threadkeeper sync' reads it from the API"

    /// The condition in words, for `rules` and `explain`.
    public var summary: String {
        switch kind {
        case .createdBefore(let t): "created before \(UTCTime.format(t))"
        case .createdAtOrAfter(let t): "created at or after \(UTCTime.format(t))"
        case .activityBefore(let t): "last active before \(UTCTime.format(t))"
        case .activityAtOrAfter(let t): "last active at or after \(UTCTime.format(t))"
        case .metadata(let condition): condition.summary
        case .notHeld(let key): "no hold (`\(key)`)"
        case .state(let states): "state " + states.map(\.rawValue).joined(separator: " or ")
        case .source(let sources): "source " + sources.map(\.rawValue).joined(separator: " or ")
        case .object(let kind): "a \(kind.noun)"
        }
    }

    /// What the thread has, for the condition's verdict in `explain`.
    public func actual(for thread: ThreadRecord) -> String {
        switch kind {
        case .createdBefore, .createdAtOrAfter:
            guard let created = thread.createdAt else { return Self.unknownAge }
            return "created \(UTCTime.format(created))"
        case .activityBefore, .activityAtOrAfter:
            if let activity = thread.lastActivity { return "last active \(UTCTime.format(activity))" }
            guard let created = thread.createdAt else { return "no activity recorded; " + Self.unknownAge }
            return "no activity recorded; created \(UTCTime.format(created))"
        case .metadata(let condition):
            return Self.metadataValue(thread, condition.key).map { "`\(condition.key)` is `\($0)`" } ?? "no `\(condition.key)`"
        case .notHeld(let key):
            return Self.metadataValue(thread, key).map { "held: `\(key)` is `\($0)`" } ?? "not held"
        case .state: return "state \(thread.state.rawValue)"
        case .source: return "source \(thread.source.rawValue)"
        case .object: return "a \(thread.object.noun)"
        }
    }
}

extension MetadataCondition {
    /// The condition in words.
    public var summary: String {
        switch test {
        case .present: "has `\(key)`"
        case .absent: "no `\(key)`"
        case .matches(let glob): glob.isLiteral ? "`\(key)` is `\(glob.pattern)`" : "`\(key)` matches `\(glob.pattern)`"
        case .doesNotMatch(let glob):
            glob.isLiteral ? "`\(key)` absent or not `\(glob.pattern)`" : "`\(key)` absent or not matching `\(glob.pattern)`"
        }
    }
}

extension Rule {
    /// One line saying which threads the rule matches, with relative times as written.
    public func matchSummary(hold: String = RuleSet.defaultHold) -> String {
        var parts: [String] = []
        let states = match.states.map(\.rawValue).joined(separator: "/")
        var subject = "\(states) \(match.object.noun)s"
        if !match.sources.isEmpty { subject += " from " + match.sources.map(\.rawValue).joined(separator: "/") }
        parts.append(subject)
        if let span = match.olderThan { parts.append("older than \(match.written("OlderThan", span))") }
        if let span = match.newerThan { parts.append("newer than \(match.written("NewerThan", span))") }
        if let text = match.createdBefore { parts.append("created before \(text)") }
        if let text = match.createdAfter { parts.append("created at or after \(text)") }
        if let span = match.idleFor { parts.append("idle for \(match.written("IdleFor", span))") }
        if let span = match.activeWithin { parts.append("active within \(match.written("ActiveWithin", span))") }
        parts += match.metadata.map(\.summary)
        let saysNotHeld = match.metadata.contains { $0.key == hold && $0.test == .absent }
        if action.changesThreads, !saysNotHeld { parts.append("not held (`\(hold)`)") }
        return parts.joined(separator: ", ")
    }
}

/// Unix seconds as `2026-01-31 12:00:00 UTC`, the layout systemd prints timestamps in.
public enum UTCTime {
    public static func format(_ seconds: Int64) -> String {
        if seconds == Int64.min { return "the beginning of time" }
        if seconds == Int64.max { return "the end of time" }
        var time = time_t(seconds)
        var parts = tm()
        guard gmtime_r(&time, &parts) != nil else { return "@\(seconds)" }
        return String(
            format: "%04d-%02d-%02d %02d:%02d:%02d UTC", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
            Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
    }
}
