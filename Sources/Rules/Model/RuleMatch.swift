import Ledger
import Schedule

/// The `[Match]` section: every condition must hold.
///
/// Time conditions are kept as written (spans, timestamp text) and resolved against `now`
/// when the rule is compiled, so `CreatedBefore=-30d` means thirty days before each run.
public struct RuleMatch: Sendable, Hashable {
    /// The kind of object the rule manages (`Object=`): threads unless it says conversations.
    public var object: ObjectKind = .thread
    /// `created_at` earlier than now minus this span.
    public var olderThan: TimeSpan?
    /// `created_at` at or after now minus this span.
    public var newerThan: TimeSpan?
    /// `created_at` strictly before this timestamp (systemd timestamp syntax).
    public var createdBefore: String?
    /// `created_at` at or after this timestamp.
    public var createdAfter: String?
    /// Every one must hold.
    public var metadata: [MetadataCondition]
    /// The thread's activity (`last_activity`, else `created_at`) earlier than now minus this span.
    public var idleFor: TimeSpan?
    /// The thread's activity at or after now minus this span.
    public var activeWithin: TimeSpan?
    /// Any of these sources; empty means any source.
    public var sources: [ThreadSource]
    /// Any of these states; `live` unless `State=` says otherwise.
    public var states: [ThreadState]
    /// Time spans as written (`OlderThan` → `365d`), for summaries; systemd's normalized
    /// form (`11month 4w 2d 4h 30min`) is exact but not what the author wrote.
    public var writtenSpans: [String: String] = [:]

    public init(
        olderThan: TimeSpan? = nil, newerThan: TimeSpan? = nil, createdBefore: String? = nil, createdAfter: String? = nil,
        metadata: [MetadataCondition] = [], idleFor: TimeSpan? = nil, activeWithin: TimeSpan? = nil,
        sources: [ThreadSource] = [], states: [ThreadState] = [.live]
    ) {
        self.olderThan = olderThan
        self.newerThan = newerThan
        self.createdBefore = createdBefore
        self.createdAfter = createdAfter
        self.metadata = metadata
        self.idleFor = idleFor
        self.activeWithin = activeWithin
        self.sources = sources
        self.states = states
    }

    /// A span as written in the file, else its normalized form.
    public func written(_ key: String, _ span: TimeSpan) -> String { writtenSpans[key] ?? span.description }

    /// Whether any condition narrows the match beyond the thread state.
    public var narrows: Bool {
        olderThan != nil || newerThan != nil || createdBefore != nil || createdAfter != nil || !metadata.isEmpty
            || idleFor != nil || activeWithin != nil || !sources.isEmpty
    }
}

/// One `Metadata=` line, in systemd-networkd's `[Match]` style.
public struct MetadataCondition: Sendable, Hashable, CustomStringConvertible {
    public enum Test: Sendable, Hashable {
        /// `Metadata=key`: the key is present.
        case present
        /// `Metadata=!key`: the key is absent.
        case absent
        /// `Metadata=key=glob`: the key is present and its value matches.
        case matches(Glob)
        /// `Metadata=!key=glob`: the key is absent or its value does not match.
        case doesNotMatch(Glob)
    }

    public var key: String
    public var test: Test

    public init(key: String, test: Test) {
        self.key = key
        self.test = test
    }

    /// The condition as written in a rule file.
    public var description: String {
        switch test {
        case .present: key
        case .absent: "!" + key
        case .matches(let glob): "\(key)=\(glob.pattern)"
        case .doesNotMatch(let glob): "!\(key)=\(glob.pattern)"
        }
    }

    /// Parses `key`, `!key`, `key=glob` or `!key=glob`; nil when the key is empty.
    public static func parse(_ text: String) -> MetadataCondition? {
        var body = Substring(text)
        let negated = body.first == "!"
        if negated { body = body.dropFirst() }
        let key: Substring
        var pattern: Substring?
        if let equals = body.firstIndex(of: "=") {
            key = body[..<equals]
            pattern = body[body.index(after: equals)...]
        } else {
            key = body
        }
        guard !key.isEmpty else { return nil }
        let test: Test
        switch (negated, pattern) {
        case (false, nil): test = .present
        case (true, nil): test = .absent
        case (false, let pattern?): test = .matches(Glob(String(pattern)))
        case (true, let pattern?): test = .doesNotMatch(Glob(String(pattern)))
        }
        return MetadataCondition(key: String(key), test: test)
    }
}
