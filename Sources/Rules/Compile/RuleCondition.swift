import Ledger
import SQLite

/// One condition of a compiled rule, with its SQL and its in-memory test side by side.
///
/// Keeping both forms in one type, case by case, is what makes the ledger query and the
/// predicate agree; the property test in RulesTests checks that they do.
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

    /// The SQL boolean expression over `threads`, with `?` for every value.
    var sql: (String, [SQLiteValue]) {
        switch kind {
        case .createdBefore(let t): ("threads.created_at < ?", [.integer(t)])
        case .createdAtOrAfter(let t): ("threads.created_at >= ?", [.integer(t)])
        case .activityBefore(let t):
            (
                "(threads.last_activity < ? OR (threads.last_activity IS NULL AND threads.created_at < ?))",
                [.integer(t), .integer(t)]
            )
        case .activityAtOrAfter(let t):
            (
                "(threads.last_activity >= ? OR (threads.last_activity IS NULL AND threads.created_at >= ?))",
                [.integer(t), .integer(t)]
            )
        case .metadata(let condition):
            // `InventoryQuery.MetadataTest` writes the side-table SQL (see there why `IN` and not
            // `EXISTS`); `CompiledRule.query` makes the first positive test the query's driver.
            Self.sql(Self.sideTable(condition))
        case .notHeld(let key): Self.sql(InventoryQuery.metadataAbsent(key))
        case .state(let states):
            ("threads.state IN (\(Self.placeholders(states.count)))", states.map { .text($0.rawValue) })
        case .source(let sources):
            ("threads.source IN (\(Self.placeholders(sources.count)))", sources.map { .text($0.rawValue) })
        case .object(let kind): ("threads.object = ?", [.text(kind.rawValue)])
        }
    }

    /// The side-table test a matching thread must pass, when this is a positive metadata test.
    var requiredMetadata: InventoryQuery.MetadataTest? {
        guard case .metadata(let condition) = kind else { return nil }
        let side = Self.sideTable(condition)
        return side.passes ? side.test : nil
    }

    /// The side-table test of a metadata condition, and whether a matching thread passes it.
    private static func sideTable(_ condition: MetadataCondition) -> (test: InventoryQuery.MetadataTest, passes: Bool) {
        switch condition.test {
        case .present: (InventoryQuery.MetadataTest(key: condition.key), true)
        case .matches(let glob): (InventoryQuery.MetadataTest(key: condition.key, pattern: glob.pattern), true)
        case .absent: (InventoryQuery.MetadataTest(key: condition.key), false)
        case .doesNotMatch(let glob): (InventoryQuery.MetadataTest(key: condition.key, pattern: glob.pattern), false)
        }
    }

    private static func sql(_ side: (test: InventoryQuery.MetadataTest, passes: Bool)) -> (String, [SQLiteValue]) {
        sql(side.passes ? side.test.condition : side.test.failing)
    }

    private static func sql(_ query: InventoryQuery) -> (String, [SQLiteValue]) { (query.condition, query.arguments) }

    private static func placeholders(_ count: Int) -> String {
        Array(repeating: "?", count: count).joined(separator: ", ")
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
