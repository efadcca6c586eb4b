/// A filter over the inventory: an SQL boolean expression over the table `threads`.
///
/// The expression may use any column of `threads` and the side table `thread_metadata`,
/// with positional `?` arguments. Rules compiles its `[Match]` section into one; the Ledger
/// counts and streams what matches.
///
/// Write a metadata test as `threads.id IN (SELECT thread_id FROM thread_metadata WHERE
/// key = ? AND value GLOB ?)` (`NOT IN` for absence), as `metadata(_:glob:)` does: SQLite
/// then walks the (key, value) index and looks threads up by id, a few hundred milliseconds
/// for a million threads. The equivalent correlated `EXISTS (… m.thread_id = threads.id …)`
/// makes it probe the side table once per thread instead, ten times slower and more.
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
            condition: "threads.id IN (SELECT thread_id FROM thread_metadata WHERE key = ? AND value GLOB ?)",
            arguments: [.text(key), .text(pattern)])
    }

    /// Threads whose metadata has no `key` at all.
    public static func metadataAbsent(_ key: String) -> InventoryQuery {
        InventoryQuery(
            condition: "threads.id NOT IN (SELECT thread_id FROM thread_metadata WHERE key = ?)", arguments: [.text(key)])
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
