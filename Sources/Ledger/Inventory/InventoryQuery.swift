/// A filter over the inventory: an SQL boolean expression over the table `threads`.
///
/// The expression may use any column of `threads` and the side table `thread_metadata`,
/// for example `EXISTS (SELECT 1 FROM thread_metadata m WHERE m.thread_id = threads.id
/// AND m.key = ? AND m.value GLOB ?)`, with positional `?` arguments. Rules compiles its
/// `[Match]` section into one; the Ledger counts and streams what matches.
public struct InventoryQuery: Sendable, Hashable {
    public var condition: String
    public var arguments: [SQLiteValue]

    public init(condition: String, arguments: [SQLiteValue] = []) {
        self.condition = condition
        self.arguments = arguments
    }

    /// Every thread.
    public static let all = InventoryQuery(condition: "1")

    /// Threads in one state.
    public static func state(_ state: ThreadState) -> InventoryQuery {
        InventoryQuery(condition: "threads.state = ?", arguments: [.text(state.rawValue)])
    }

    /// Threads whose metadata has `key` with a value matching the GLOB `pattern`.
    public static func metadata(_ key: String, glob pattern: String) -> InventoryQuery {
        InventoryQuery(
            condition:
                "EXISTS (SELECT 1 FROM thread_metadata m WHERE m.thread_id = threads.id AND m.key = ? AND m.value GLOB ?)",
            arguments: [.text(key), .text(pattern)])
    }

    /// Threads created before `time` (Unix seconds).
    public static func createdBefore(_ time: Int64) -> InventoryQuery {
        InventoryQuery(condition: "threads.created_at < ?", arguments: [.integer(time)])
    }

    /// Both conditions.
    public func and(_ other: InventoryQuery) -> InventoryQuery {
        InventoryQuery(condition: "(\(condition)) AND (\(other.condition))", arguments: arguments + other.arguments)
    }
}
