import Ledger

/// One condition of a compiled rule, with its ledger predicate and its in-memory test side by side.
///
/// Keeping both forms in one type, case by case, is what makes the ledger query and the
/// in-memory test agree; the property test in RulesTests checks that they do.
public struct RuleCondition: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// `created_at < t`.
        case createdBefore(Int64)
        /// `created_at >= t`.
        case createdAtOrAfter(Int64)
        /// Activity (`last_activity`, else `created_at`) `< t`.
        case activityBefore(Int64)
        /// Activity `>= t`.
        case activityAtOrAfter(Int64)
        case metadata(MetadataCondition)
        /// The hold key is absent, whatever its value would be, and the metadata could be read.
        case notHeld(String)
        case state([ThreadState])
        case source([ThreadSource])
        /// The row's kind (`Object=`, thread by default).
        case object(ObjectKind)
    }

    public var kind: Kind
    /// The rule line it comes from (`OlderThan=30d`), or a note for implied conditions.
    public var origin: String

    public init(_ kind: Kind, origin: String) {
        self.kind = kind
        self.origin = origin
    }

    /// The condition as a predicate over the ledger's inventory (the hold is the query's own).
    var predicate: ThreadPredicate {
        switch kind {
        case .createdBefore(let t): .createdBefore(t)
        case .createdAtOrAfter(let t): .createdAtOrAfter(t)
        case .activityBefore(let t): .activityBefore(t)
        case .activityAtOrAfter(let t): .activityAtOrAfter(t)
        case .metadata(let condition):
            switch condition.test {
            case .present: .metadataPresent(condition.key)
            case .absent: .not(.metadataPresent(condition.key))
            case .matches(let glob): .metadataMatches(condition.key, pattern: glob.pattern)
            case .doesNotMatch(let glob): .not(.metadataMatches(condition.key, pattern: glob.pattern))
            }
        case .notHeld(let key): .not(.metadataPresent(key))
        case .state(let states): .state(states)
        case .source(let sources): .source(sources)
        case .object(let kind): .object(kind)
        }
    }

    /// The value of `key`, compared byte for byte as SQLite compares `m.key = ?`.
    static func metadataValue(_ thread: ThreadRecord, _ key: String) -> String? {
        // Swift's String equality is canonical equivalence ("é" == "e\u{301}"); SQLite's is bytes.
        thread.metadata.first { $0.key.utf8.elementsEqual(key.utf8) }?.value
    }

    /// Nil when neither is known: no activity condition holds then, as `NULL < ?` is not true in SQL.
    static func activity(_ thread: ThreadRecord) -> Int64? { thread.lastActivity ?? thread.createdAt }

    /// Whether the condition holds for one thread.
    public func holds(for thread: ThreadRecord) -> Bool {
        switch kind {
        // A thread of unknown age matches no age condition, either way round (as in the SQL).
        case .createdBefore(let t): return thread.createdAt.map { $0 < t } ?? false
        case .createdAtOrAfter(let t): return thread.createdAt.map { $0 >= t } ?? false
        case .activityBefore(let t): return Self.activity(thread).map { $0 < t } ?? false
        case .activityAtOrAfter(let t): return Self.activity(thread).map { $0 >= t } ?? false
        case .metadata(let condition):
            // Metadata that cannot be read matches no metadata condition, present or absent.
            if thread.metadataUnreadable { return false }
            let value = Self.metadataValue(thread, condition.key)
            switch condition.test {
            case .present: return value != nil
            case .absent: return value == nil
            case .matches(let glob): return value.map(glob.matches) ?? false
            case .doesNotMatch(let glob): return !(value.map(glob.matches) ?? false)
            }
        // Fails closed: metadata that cannot be read may hide the hold key.
        case .notHeld(let key): return !thread.metadataUnreadable && Self.metadataValue(thread, key) == nil
        case .state(let states): return states.contains(thread.state)
        case .source(let sources): return sources.contains(thread.source)
        case .object(let kind): return thread.object == kind
        }
    }
}
