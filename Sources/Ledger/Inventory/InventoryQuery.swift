import SQLite

/// A filter over the inventory: an SQL boolean expression over the table `threads`, and
/// optionally a metadata test the query starts from.
///
/// The expression may use any column of `threads` and the side table `thread_metadata`,
/// with positional `?` arguments. Rules compiles its `[Match]` section into one; the Ledger
/// counts and streams what matches, reading `FROM \(source) WHERE \(condition)` with
/// `boundArguments`.
///
/// A metadata test that a thread must pass (`metadata(_:glob:)`, `metadataPresent(_:)`) is
/// kept as the query's `driver` rather than in the expression: SQLite then walks the side
/// table's (key, value) index and joins each entry to its thread by id. Written as `threads.id
/// IN (SELECT thread_id …)` instead, SQLite first copies every id of the subquery into a
/// temporary B-tree (a third of the time of a million-thread count); written as a correlated
/// `EXISTS (… m.thread_id = threads.id …)`, it probes the side table once per thread, ten
/// times slower. A second positive metadata test, and every absence test, go into the
/// expression as `IN` / `NOT IN`. The join has one row per thread: `thread_metadata` has
/// one row per (thread, key).
public struct InventoryQuery: Sendable, Hashable {
    public var condition: String
    public var arguments: [SQLiteValue]
    /// The metadata test the query starts from, nil to read `threads` by its own indexes.
    public var driver: MetadataTest?

    /// Threads whose metadata has `key`, with a value matching the GLOB `pattern` when given.
    public struct MetadataTest: Sendable, Hashable {
        public var key: String
        public var pattern: String?

        public init(key: String, pattern: String? = nil) {
            self.key = key
            self.pattern = pattern
        }

        /// The side table's rows that pass, and their arguments.
        var selection: (sql: String, arguments: [SQLiteValue]) {
            guard let pattern else { return ("SELECT thread_id FROM thread_metadata WHERE key = ?", [.text(key)]) }
            return ("SELECT thread_id FROM thread_metadata WHERE key = ? AND value GLOB ?", [.text(key), .text(pattern)])
        }

        /// The same test as an expression over `threads`.
        public var condition: InventoryQuery {
            InventoryQuery(condition: "threads.id IN (\(selection.sql))", arguments: selection.arguments)
        }

        /// Threads that fail the test: the key is absent, or (with a pattern) its value does not match.
        public var failing: InventoryQuery {
            InventoryQuery(condition: "threads.id NOT IN (\(selection.sql))", arguments: selection.arguments)
        }
    }

    public init(condition: String, arguments: [SQLiteValue] = [], driver: MetadataTest? = nil) {
        self.condition = condition
        self.arguments = arguments
        self.driver = driver
    }

    /// The FROM clause: `threads`, or the driver's side-table rows joined to `threads`.
    public var source: String {
        guard let driver else { return "threads" }
        return "(\(driver.selection.sql)) AS driving_metadata JOIN threads ON threads.id = driving_metadata.thread_id"
    }

    /// The arguments of `FROM \(source) WHERE \(condition)`, in order.
    public var boundArguments: [SQLiteValue] { (driver?.selection.arguments ?? []) + arguments }

    /// The same query with the driver written into the expression: for SQL that must read
    /// `FROM threads` itself.
    public var withoutDriver: InventoryQuery {
        guard let driver else { return self }
        return driver.condition.and(InventoryQuery(condition: condition, arguments: arguments))
    }

    /// Every thread.
    public static let all = InventoryQuery(condition: "1")

    /// Rows of one kind.
    public static func object(_ kind: ObjectKind) -> InventoryQuery {
        InventoryQuery(condition: "threads.object = ?", arguments: [.text(kind.rawValue)])
    }

    /// Threads in one state.
    public static func state(_ state: ThreadState) -> InventoryQuery {
        InventoryQuery(condition: "threads.state = ?", arguments: [.text(state.rawValue)])
    }

    /// Threads whose metadata has `key` with a value matching the GLOB `pattern`.
    public static func metadata(_ key: String, glob pattern: String) -> InventoryQuery {
        InventoryQuery(condition: "1", driver: MetadataTest(key: key, pattern: pattern))
    }

    /// Threads whose metadata has `key`, whatever its value.
    public static func metadataPresent(_ key: String) -> InventoryQuery {
        InventoryQuery(condition: "1", driver: MetadataTest(key: key))
    }

    /// Threads whose metadata has no `key` at all.
    public static func metadataAbsent(_ key: String) -> InventoryQuery {
        MetadataTest(key: key).failing
    }

    /// Threads created before `time` (Unix seconds).
    public static func createdBefore(_ time: Int64) -> InventoryQuery {
        InventoryQuery(condition: "threads.created_at < ?", arguments: [.integer(time)])
    }

    /// Both conditions. The first driver stays the driver; a second one joins the expression.
    public func and(_ other: InventoryQuery) -> InventoryQuery {
        var both = InventoryQuery(
            condition: "(\(condition)) AND (\(other.condition))", arguments: arguments + other.arguments, driver: driver)
        if let second = other.driver {
            if both.driver == nil {
                both.driver = second
            } else {
                both = both.and(second.condition)
            }
        }
        return both
    }
}
