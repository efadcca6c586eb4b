import SQLite

/// The SQL of an inventory query, in the two forms the Ledger reads with.
///
/// **Indexed** (`indexed`): for reads that an index narrows (streaming a run's threads oldest
/// first, a page, a saved plan, counts within a plan). The first metadata test a thread must
/// pass drives the query: SQLite walks the side table's (key, value) index and joins each
/// entry to its thread by id. Written as `threads.id IN (SELECT thread_id …)` instead, SQLite
/// first copies every id of the subquery into a temporary B-tree (a third of the time of a
/// million-thread count); written as a correlated `EXISTS (… m.thread_id = threads.id …)`, it
/// probes the side table once per thread, ten times slower. A second positive metadata test,
/// and every absence test, go into the expression as `IN` / `NOT IN`. The join has one row
/// per thread: `thread_metadata` has one row per (thread, key).
///
/// **Scan** (`scan`): for a count over the whole inventory, where every row is visited
/// anyway. Metadata is read in place from `threads.metadata` with SQLite's JSON functions, so
/// there is no lookup per row in another table, and no term may use an index: one pass over
/// the table's B-tree in key order.
///
/// Both select exactly the same threads (RulesTests' agreement test checks both against the
/// rule's in-memory predicate). Every value is bound, never written into the SQL.
extension InventoryQuery {
    struct Rendered {
        /// The FROM clause: `threads`, or the driver's side-table rows joined to `threads`.
        var source: String
        var condition: String
        /// The arguments of `FROM \(source) WHERE \(condition)`, in order.
        var arguments: [SQLiteValue]

        /// The same read with one more condition.
        func and(_ sql: String, _ values: [SQLiteValue]) -> Rendered {
            Rendered(source: source, condition: "(\(condition)) AND \(sql)", arguments: arguments + values)
        }
    }

    /// The indexed form: the first positive metadata test drives the read.
    var indexed: Rendered {
        var terms = self.terms
        guard let index = terms.firstIndex(where: \.isPositiveMetadataTest) else {
            let (condition, arguments) = Self.conjunction(terms.map { $0.sql(.indexed) }[...])
            return Rendered(source: "threads", condition: condition, arguments: arguments)
        }
        let driver = terms.remove(at: index).sideTableSelection
        let (condition, arguments) = Self.conjunction(terms.map { $0.sql(.indexed) }[...])
        return Rendered(
            source: "(\(driver.sql)) AS driving_metadata JOIN threads ON threads.id = driving_metadata.thread_id",
            condition: condition, arguments: driver.arguments + arguments)
    }

    /// The scan form over `threads` alone, metadata read from `threads.metadata`.
    var scan: Rendered {
        let (condition, arguments) = Self.conjunction(terms.map { $0.sql(.scan) }[...])
        return Rendered(source: "threads", condition: condition, arguments: arguments)
    }

    /// The walk form: metadata read in place, the columns' terms free to use `threads_by_state`,
    /// so that SQLite walks the index in (`created_at`, `id`) order and stops at a read's limit.
    var walk: Rendered {
        let (condition, arguments) = Self.conjunction(terms.map { $0.sql(.walk) }[...])
        return Rendered(source: "threads", condition: condition, arguments: arguments)
    }

    /// Whether a whole-inventory count should start from the side table's (key, value) index.
    ///
    /// Each entry the driver yields costs a lookup of its thread by id, about 2.5 times the
    /// cost of a row read in one pass over `threads`: the driver wins while it selects under
    /// about 40% of the threads. That share is not known without counting; a test on a value
    /// (`tag=support`, `tenant=acme-*`) is taken as selective, a key's mere presence
    /// (`Metadata=key`, or a pattern `*`) as not.
    var countsThroughDriver: Bool {
        guard case .metadataMatches(_, let pattern)? = terms.first(where: \.isPositiveMetadataTest) else { return false }
        return !pattern.allSatisfy { $0 == "*" }
    }

    /// The SQL a stream or a page of the query reads with (`FROM … WHERE …`), to show it.
    public var sql: String {
        let read = indexed
        return "FROM \(read.source) WHERE \(read.condition)"
    }

    /// The first GLOB pattern longer than SQLite takes, with its key.
    ///
    /// SQLite refuses such a pattern only when it compares it with a value, so whether a read
    /// fails would depend on the data and on the form that reads it (the driver's index range
    /// may hold no value to compare). The Ledger refuses the query before any read instead.
    var overlongPattern: (key: String, bytes: Int)? {
        func find(_ predicate: ThreadPredicate) -> (key: String, bytes: Int)? {
            switch predicate {
            case .metadataMatches(let key, let pattern):
                pattern.utf8.count > QueryLimits().patternBytes ? (key, pattern.utf8.count) : nil
            case .not(let inner): find(inner)
            case .and(let parts): parts.lazy.compactMap(find).first
            default: nil
            }
        }
        return find(predicate)
    }

    /// Whether the read is within a saved plan: its few threads are found through the plan's index.
    var withinPlan: Bool {
        predicate.terms.contains { if case .inPlan = $0 { true } else { false } }
    }

    /// `a AND b AND …` as a balanced tree: `(a AND b) AND (c AND d)`.
    ///
    /// SQLite parses `a AND b AND c` as `(a AND b) AND c`, one level deeper per condition,
    /// and refuses a statement whose expression tree is deeper than `SQLITE_MAX_EXPR_DEPTH`
    /// (1000): a rule of about 990 conditions could not run. Halving keeps the depth to the
    /// logarithm of the count, so what bounds a rule is the number of values it binds
    /// (`QueryLimits`). Arguments stay in the order of their `?`s.
    static func conjunction(_ parts: ArraySlice<(String, [SQLiteValue])>) -> (String, [SQLiteValue]) {
        guard parts.count > 1 else { return parts.first ?? ("1", []) }
        let middle = parts.startIndex + parts.count / 2
        let left = conjunction(parts[..<middle])
        let right = conjunction(parts[middle...])
        return ("(\(left.0)) AND (\(right.0))", left.1 + right.1)
    }
}

extension ThreadPredicate {
    var isPositiveMetadataTest: Bool {
        switch self {
        case .metadataPresent, .metadataMatches: true
        default: false
        }
    }

    /// The side table's rows that pass a metadata test, and their arguments.
    var sideTableSelection: (sql: String, arguments: [SQLiteValue]) {
        switch self {
        case .metadataPresent(let key): ("SELECT thread_id FROM thread_metadata WHERE key = ?", [.text(key)])
        case .metadataMatches(let key, let pattern):
            ("SELECT thread_id FROM thread_metadata WHERE key = ? AND value GLOB ?", [.text(key), .text(pattern)])
        default: preconditionFailure("not a metadata test: \(self)")
        }
    }

    /// How a term is written: the three forms of `InventoryQuery`.
    enum Form {
        /// Metadata from the side table, columns indexable.
        case indexed
        /// Metadata in place, no term indexable.
        case scan
        /// Metadata in place, columns indexable.
        case walk
    }

    /// The SQL boolean expression over `threads`, with `?` for every value, in `form`.
    func sql(_ form: Form) -> (String, [SQLiteValue]) {
        let scan = form != .indexed
        // `threads` is a WITHOUT ROWID table, and SQLite (3.40) ignores `NOT INDEXED` on one: a
        // count over `created_at < ?` then walks `threads_by_state` and looks every entry up in
        // the table, eight times the CPU of reading the table once. A unary `+` keeps a term
        // from any index (it changes no value: every value bound here has the column's type).
        let column = { (name: String) in form == .scan ? "+threads.\(name)" : "threads.\(name)" }
        switch self {
        case .always: return ("1", [])
        case .createdBefore(let t): return ("\(column("created_at")) < ?", [.integer(t)])
        case .createdAtOrAfter(let t): return ("\(column("created_at")) >= ?", [.integer(t)])
        case .activityBefore(let t):
            let (activity, created) = (column("last_activity"), column("created_at"))
            return ("(\(activity) < ? OR (\(activity) IS NULL AND \(created) < ?))", [.integer(t), .integer(t)])
        case .activityAtOrAfter(let t):
            let (activity, created) = (column("last_activity"), column("created_at"))
            return ("(\(activity) >= ? OR (\(activity) IS NULL AND \(created) >= ?))", [.integer(t), .integer(t)])
        case .state(let states):
            return ("\(column("state")) IN (\(Self.placeholders(states.count)))", states.map { .text($0.rawValue) })
        case .source(let sources):
            return ("\(column("source")) IN (\(Self.placeholders(sources.count)))", sources.map { .text($0.rawValue) })
        case .object(let kind): return ("\(column("object")) = ?", [.text(kind.rawValue)])
        case .syncedBefore(let t?):
            let synced = column("last_synced")
            return ("(\(synced) IS NULL OR \(synced) < ?)", [.integer(t)])
        case .syncedBefore(nil): return ("\(column("last_synced")) IS NULL", [])
        case .inPlan(let id):
            return ("threads.id IN (SELECT p.thread_id FROM plan_threads p WHERE p.plan_id = ?)", [.integer(id)])
        case .metadataPresent(let key):
            return scan ? Self.scanPresent(key, negated: false) : Self.sideTable(self, negated: false)
        case .metadataMatches(let key, let pattern):
            return scan ? Self.scanMatches(key, pattern, negated: false) : Self.sideTable(self, negated: false)
        case .not(let inner):
            switch inner {
            case .metadataPresent(let key):
                return scan ? Self.scanPresent(key, negated: true) : Self.sideTable(inner, negated: true)
            case .metadataMatches(let key, let pattern):
                return scan ? Self.scanMatches(key, pattern, negated: true) : Self.sideTable(inner, negated: true)
            default:
                let (sql, arguments) = inner.sql(form)
                return ("NOT (\(sql))", arguments)
            }
        case .and(let parts):
            return InventoryQuery.conjunction(parts.flatMap(\.terms).map { $0.sql(form) }[...])
        }
    }

    private static func placeholders(_ count: Int) -> String {
        Array(repeating: "?", count: count).joined(separator: ", ")
    }

    private static func sideTable(_ test: ThreadPredicate, negated: Bool) -> (String, [SQLiteValue]) {
        let selection = test.sideTableSelection
        return ("threads.id \(negated ? "NOT IN" : "IN") (\(selection.sql))", selection.arguments)
    }

    /// The JSON path of a key, or nil when the key cannot be quoted in one (`"` or `\` in it).
    static func jsonPath(_ key: String) -> String? {
        key.contains("\"") || key.contains("\\") ? nil : "$.\"\(key)\""
    }

    private static func scanPresent(_ key: String, negated: Bool) -> (String, [SQLiteValue]) {
        guard let path = jsonPath(key) else {
            let exists = "EXISTS (SELECT 1 FROM json_each(threads.metadata) j WHERE j.key = ?)"
            return ((negated ? "NOT " : "") + exists, [.text(key)])
        }
        return ("json_type(threads.metadata, ?) IS \(negated ? "" : "NOT ")NULL", [.text(path)])
    }

    private static func scanMatches(_ key: String, _ pattern: String, negated: Bool) -> (String, [SQLiteValue]) {
        guard let path = jsonPath(key) else {
            let exists = "EXISTS (SELECT 1 FROM json_each(threads.metadata) j WHERE j.key = ? AND j.value GLOB ?)"
            return ((negated ? "NOT " : "") + exists, [.text(key), .text(pattern)])
        }
        let test = "coalesce(json_extract(threads.metadata, ?) GLOB ?, 0)"
        return ((negated ? "NOT " : "") + test, [.text(path), .text(pattern)])
    }
}
