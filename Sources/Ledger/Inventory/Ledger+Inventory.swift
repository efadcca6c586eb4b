import JSON
import SQLite

/// Where a page of threads ended, to continue after it (keyset pagination).
public struct ThreadPosition: Sendable, Hashable {
    /// Nil for a thread of unknown age: those come first (SQLite orders NULL before numbers).
    public var createdAt: Int64?
    public var id: String

    public init(createdAt: Int64?, id: String) {
        self.createdAt = createdAt
        self.id = id
    }

    public init(_ record: ThreadRecord) { self.init(createdAt: record.createdAt, id: record.id) }
}

extension Ledger {
    static let threadColumns =
        "threads.id, threads.created_at, threads.metadata, threads.state, threads.source, threads.first_seen, "
        + "threads.last_synced, threads.last_activity, threads.object"

    /// Throws when SQLite would refuse the query's SQL whatever the data (see `overlongPattern`).
    func check(_ query: InventoryQuery) throws {
        guard let (key, bytes) = query.overlongPattern else { return }
        throw LedgerError(
            .invalidArgument,
            "the GLOB pattern for metadata key '\(key)' is \(bytes) bytes; SQLite refuses it (LIKE or GLOB pattern too "
                + "complex): at most \(QueryLimits().patternBytes) bytes (SQLITE_LIMIT_LIKE_PATTERN_LENGTH); shorten the pattern",
            path: path)
    }

    /// How many threads match.
    public func count(matching query: InventoryQuery = .all) throws -> Int {
        try check(query)
        let read = query.indexed
        return try withDatabase { database in
            let value = try database.scalar("SELECT count(*) FROM \(read.source) WHERE \(read.condition)", read.arguments)
            return Int(value?.integerValue ?? 0)
        }
    }

    /// How many threads match, and how many more would match but for the query's hold.
    ///
    /// Within a saved plan, its few threads are counted through the plan's index. Over the
    /// whole inventory, one statement counts both (`countWithHeldStatement`).
    public func countWithHeld(matching query: InventoryQuery) throws -> (matched: Int, held: Int) {
        try check(query)
        if query.withinPlan {
            let matched = try count(matching: query)
            guard query.hold != nil else { return (matched, 0) }
            return (matched, try count(matching: query.ignoringHold) - matched)
        }
        let (sql, arguments) = Self.countWithHeldStatement(query)
        let row = try rows(sql, arguments).first
        let all = Int(row?[0].integerValue ?? 0)
        let matched = Int(row?[1].integerValue ?? 0)
        return (matched, all - matched)
    }

    /// The count of the threads that match but for the hold, and of those that match.
    ///
    /// With a selective metadata test (`countsThroughDriver`) SQLite starts from the side
    /// table's index and reads only the threads it names, checking the hold in place. Otherwise
    /// it is one pass over `threads` in the scan form, which reads each row's metadata in place:
    /// for a million threads several times faster than a side-table lookup per row, and eight
    /// times faster than walking an index and looking each entry up in the table.
    static func countWithHeldStatement(_ query: InventoryQuery) -> (String, [SQLiteValue]) {
        let select = "SELECT count(*), coalesce(sum(CASE WHEN"
        if query.countsThroughDriver {
            let outer = query.ignoringHold.indexed
            let hold = query.hold.map { ThreadPredicate.not(.metadataPresent($0)).sql(.walk) } ?? ("1", [])
            return (
                "\(select) \(hold.0) THEN 1 ELSE 0 END), 0) FROM \(outer.source) WHERE \(outer.condition)",
                hold.1 + outer.arguments
            )
        }
        let matching = query.scan
        let outer = query.ignoringHold.scan
        return (
            "\(select) \(matching.condition) THEN 1 ELSE 0 END), 0) FROM threads WHERE \(outer.condition)",
            matching.arguments + outer.arguments
        )
    }

    /// Calls `body` with the first `limit` matching threads, oldest first, when the query is
    /// known to match about `share` (0…1) of the threads, say from a count just made.
    ///
    /// A small sample of a common match is read by walking `threads_by_state` in order, the
    /// metadata read in place, stopping at the limit (about `limit / share` rows read) instead
    /// of collecting and sorting every match.
    public func forEachThread(
        matching query: InventoryQuery, limit: Int, share: Double, _ body: (ThreadRecord) throws -> Void
    ) throws {
        try check(query)
        let walked = share > 0 ? Double(limit) / share : .infinity
        try forEachThread(walked <= Self.longestWalk ? query.walk : query.indexed, limit: limit, body)
    }

    /// The most rows a sample walks in order rather than sorting the matches: a walk reads a
    /// row in about 1 µs, a driver's sort costs about as much per match, so a walk of this
    /// length stays under the sort of any match over 10% of a large inventory.
    static let longestWalk = 20_000.0

    /// Calls `body` with each matching thread, oldest first (created_at, id), at most `limit`.
    ///
    /// Rows are read one at a time from SQLite, so memory stays flat whatever the inventory's
    /// size. The ledger's lock is held throughout: `body` should be quick, and may call back
    /// into the ledger from the same thread. For long work per thread, page with `threads(matching:after:limit:)`.
    public func forEachThread(
        matching query: InventoryQuery = .all, limit: Int? = nil, _ body: (ThreadRecord) throws -> Void
    ) throws {
        try check(query)
        try forEachThread(query.indexed, limit: limit, body)
    }

    func forEachThread(_ read: InventoryQuery.Rendered, limit: Int?, _ body: (ThreadRecord) throws -> Void) throws {
        try withDatabase { database in
            var sql = "SELECT \(Self.threadColumns) FROM \(read.source) WHERE \(read.condition) ORDER BY threads.created_at, threads.id"
            var arguments = read.arguments
            if let limit {
                sql += " LIMIT ?"
                arguments.append(.integer(Int64(limit)))
            }
            let statement = try database.prepare(sql)
            try statement.bind(arguments)
            while try statement.step() { try body(Self.record(statement)) }
        }
    }

    /// One page of matching threads, oldest first, starting after `position` (nil: from the start).
    public func threads(matching query: InventoryQuery = .all, after position: ThreadPosition? = nil, limit: Int) throws
        -> [ThreadRecord]
    {
        try check(query)
        var read = query.indexed
        if let position, let createdAt = position.createdAt {
            // A row value with a NULL compares as NULL: threads of unknown age, which sort
            // first, are all before this position anyway.
            read = read.and("(threads.created_at, threads.id) > (?, ?)", [.integer(createdAt), .text(position.id)])
        } else if let position {
            read = read.and(
                "((threads.created_at IS NULL AND threads.id > ?) OR threads.created_at IS NOT NULL)", [.text(position.id)])
        }
        var page: [ThreadRecord] = []
        page.reserveCapacity(min(limit, 10_000))
        try forEachThread(read, limit: limit) { page.append($0) }
        return page
    }

    /// The thread with `id`, or nil when the ledger does not know it.
    public func thread(id: String) throws -> ThreadRecord? {
        try withDatabase { database in
            let statement = try database.cachedStatement("SELECT \(Self.threadColumns) FROM threads WHERE id = ?")
            try statement.bind([.text(id)])
            defer { statement.reset() }
            return try statement.step() ? Self.record(statement) : nil
        }
    }

    /// Inserts a thread, or replaces every column of the one with the same id.
    public func save(_ record: ThreadRecord) throws {
        try write { database in try Self.upsert(record, database) }
    }

    static func upsert(_ record: ThreadRecord, _ database: SQLiteDatabase) throws {
        try database.run(
            """
            INSERT INTO threads (id, created_at, metadata, state, source, first_seen, last_synced, last_activity, object)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET created_at = excluded.created_at, metadata = excluded.metadata,
                state = excluded.state, source = excluded.source, first_seen = excluded.first_seen,
                last_synced = excluded.last_synced, last_activity = excluded.last_activity, object = excluded.object
            """,
            [
                .text(record.id), SQLiteValue(record.createdAt), .text(JSONWriter.sortedObject(record.metadata)),
                .text(record.state.rawValue), .text(record.source.rawValue), .integer(record.firstSeen),
                SQLiteValue(record.lastSynced), SQLiteValue(record.lastActivity), .text(record.object.rawValue),
            ])
    }

    /// Sets the state of threads (after a delete: `.deleted`; after a 404: `.gone`); returns how many exist.
    @discardableResult
    public func markState(_ state: ThreadState, threadIDs: [String]) throws -> Int {
        try write { database in
            var changed = 0
            for id in threadIDs {
                changed += try database.run("UPDATE threads SET state = ? WHERE id = ?", [.text(state.rawValue), .text(id)])
            }
            return changed
        }
    }

    /// Records what the API said a thread looks like now: its metadata, its `created_at` when
    /// given (the API's answer replaces an unknown or imported one), and when it was confirmed.
    ///
    /// `syncedAt` defaults to the ledger's clock. The side table `thread_metadata` follows
    /// through the schema's triggers. Throws `.invalidArgument` for an unknown id.
    public func updateMetadata(
        threadID: String, metadata: [String: String], createdAt: Int64? = nil, syncedAt: Int64? = nil
    ) throws {
        let time = syncedAt ?? now()
        try write { database in
            let changed = try database.run(
                "UPDATE threads SET metadata = ?, created_at = coalesce(?, created_at), last_synced = ? WHERE id = ?",
                [.text(JSONWriter.sortedObject(metadata)), SQLiteValue(createdAt), .integer(time), .text(threadID)])
            guard changed == 1 else {
                throw LedgerError(.invalidArgument, "no thread '\(threadID)' in the ledger '\(path)'", path: path)
            }
        }
    }

    /// Records when a thread's newest message was written.
    public func setLastActivity(threadID: String, at time: Int64?) throws {
        try write { database in
            try database.run("UPDATE threads SET last_activity = ? WHERE id = ?", [SQLiteValue(time), .text(threadID)])
        }
    }

    static func record(_ statement: SQLiteStatement) -> ThreadRecord {
        let metadata = MetadataJSON.stored(statement.text(2) ?? "{}")
        var record = ThreadRecord(
            id: statement.text(0) ?? "",
            createdAt: statement.integer(1),
            metadata: metadata ?? [:],
            state: ThreadState(rawValue: statement.text(3) ?? "") ?? .live,
            source: ThreadSource(rawValue: statement.text(4) ?? "") ?? .import,
            firstSeen: statement.integer(5) ?? 0,
            lastSynced: statement.integer(6),
            lastActivity: statement.integer(7),
            object: ObjectKind(rawValue: statement.text(8) ?? "") ?? .thread)
        record.metadataUnreadable = metadata == nil
        return record
    }
}
