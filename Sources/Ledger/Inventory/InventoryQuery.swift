/// A condition on one row of the inventory, over the thread's columns and its metadata.
///
/// Rules compiles a rule's `[Match]` into one; the Ledger alone turns it into SQL
/// (`InventoryQuery.Rendered`), so no other module writes SQL about threads. A new column
/// (as the object kind was) is a new case here and one line in each rendering.
public indirect enum ThreadPredicate: Sendable, Hashable {
    /// Every thread.
    case always
    /// `created_at < t` (a thread of unknown age never matches).
    case createdBefore(Int64)
    /// `created_at >= t`.
    case createdAtOrAfter(Int64)
    /// The newest activity (`last_activity`, else `created_at`) `< t`.
    case activityBefore(Int64)
    /// The newest activity `>= t`.
    case activityAtOrAfter(Int64)
    /// The thread is in one of the states.
    case state([ThreadState])
    /// The thread came from one of the sources.
    case source([ThreadSource])
    /// The row is of this kind (a thread or a conversation).
    case object(ObjectKind)
    /// The metadata has `key`, whatever its value.
    case metadataPresent(String)
    /// The metadata has `key` with a value matching the GLOB `pattern` (SQLite's GLOB, bytes).
    case metadataMatches(String, pattern: String)
    /// `last_synced` is unknown or before `t` (nil: only never synced).
    case syncedBefore(Int64?)
    /// The thread belongs to the saved plan.
    case inPlan(Int64)
    /// The condition does not hold (SQL's `NOT`: a comparison with an unknown value stays unknown).
    case not(ThreadPredicate)
    /// Every condition holds.
    case and([ThreadPredicate])

    /// The conjunction's terms, nested conjunctions and `always` flattened away.
    var terms: [ThreadPredicate] {
        switch self {
        case .always: []
        case .and(let parts): parts.flatMap(\.terms)
        default: [self]
        }
    }
}

/// Which threads a ledger read selects: a predicate, and the hold that keeps threads out.
///
/// Reads are oldest first (`created_at`, then `id`); a count, a page, a stream and a saved
/// plan take the order and their limit from the call. The hold is kept apart from the
/// predicate so that the Ledger can count in one pass both what matches and what a hold
/// keeps back (`countWithHeld(matching:)`).
public struct InventoryQuery: Sendable, Hashable {
    public var predicate: ThreadPredicate
    /// Threads whose metadata carries this key are left out (a destructive rule's hold); nil: none.
    public var hold: String?

    public init(_ predicate: ThreadPredicate = .always, excludingHeld hold: String? = nil) {
        self.predicate = predicate
        self.hold = hold
    }

    /// The same threads without the hold: what would match but for it.
    public var ignoringHold: InventoryQuery { InventoryQuery(predicate) }

    /// Every thread.
    public static let all = InventoryQuery()

    /// Rows of one kind.
    public static func object(_ kind: ObjectKind) -> InventoryQuery {
        InventoryQuery(.object(kind))
    }

    /// Threads in one state.
    public static func state(_ state: ThreadState) -> InventoryQuery { InventoryQuery(.state([state])) }

    /// Threads whose metadata has `key` with a value matching the GLOB `pattern`.
    public static func metadata(_ key: String, glob pattern: String) -> InventoryQuery {
        InventoryQuery(.metadataMatches(key, pattern: pattern))
    }

    /// Threads whose metadata has `key`, whatever its value.
    public static func metadataPresent(_ key: String) -> InventoryQuery { InventoryQuery(.metadataPresent(key)) }

    /// Threads whose metadata has no `key` at all.
    public static func metadataAbsent(_ key: String) -> InventoryQuery { InventoryQuery(.not(.metadataPresent(key))) }

    /// Threads created before `time` (Unix seconds).
    public static func createdBefore(_ time: Int64) -> InventoryQuery { InventoryQuery(.createdBefore(time)) }

    /// Threads that belong to the saved plan `planID`.
    public static func inPlan(_ planID: Int64) -> InventoryQuery { InventoryQuery(.inPlan(planID)) }

    /// Both: the conditions of each, and the hold of either (the first when both have one and
    /// they differ, the second joining the predicate).
    public func and(_ other: InventoryQuery) -> InventoryQuery {
        var predicate = ThreadPredicate.and(self.predicate.terms + other.predicate.terms)
        let hold = self.hold ?? other.hold
        if let second = other.hold, second != hold {
            predicate = .and(predicate.terms + [.not(.metadataPresent(second))])
        }
        return InventoryQuery(predicate, excludingHeld: hold)
    }

    /// The predicate's terms with the hold's exclusion last: what a thread must pass.
    var terms: [ThreadPredicate] {
        predicate.terms + (hold.map { [.not(.metadataPresent($0))] } ?? [])
    }
}
