import Ledger
import SQLite

extension CompiledRule {
    /// The rule as a condition over the `threads` row alone, reading `threads.metadata` with
    /// SQLite's JSON functions instead of the `thread_metadata` side table.
    ///
    /// It selects exactly the threads `query` selects (the agreement test checks both against
    /// the predicate). `query` is fast when an index narrows the search (streaming a run's
    /// threads oldest first); this form is fast when every row is visited anyway (counting a
    /// rule over the whole inventory with `NOT INDEXED`): no lookup per row in another table.
    public var scanQuery: InventoryQuery {
        let parts = conditions.map(\.scanSQL)
        guard !parts.isEmpty else { return InventoryQuery(condition: "1", arguments: []) }
        let (condition, arguments) = Self.conjunction(parts[...])
        return InventoryQuery(condition: condition, arguments: arguments)
    }
}

extension RuleCondition {
    /// `sql` with metadata read from `threads.metadata`.
    var scanSQL: (String, [SQLiteValue]) {
        switch kind {
        case .metadata(let condition):
            switch condition.test {
            case .present: return Self.scanPresent(condition.key, negated: false)
            case .absent: return Self.scanPresent(condition.key, negated: true)
            case .matches(let glob): return Self.scanMatches(condition.key, glob.pattern, negated: false)
            case .doesNotMatch(let glob): return Self.scanMatches(condition.key, glob.pattern, negated: true)
            }
        case .notHeld(let key): return Self.scanPresent(key, negated: true)
        default: return sql
        }
    }

    /// The JSON path of a key, or nil when the key cannot be quoted in one (`"` or `\` in it).
    static func jsonPath(_ key: String) -> String? {
        key.contains("\"") || key.contains("\\") ? nil : "$.\"\(key)\""
    }

    static func scanPresent(_ key: String, negated: Bool) -> (String, [SQLiteValue]) {
        guard let path = jsonPath(key) else {
            let exists = "EXISTS (SELECT 1 FROM json_each(threads.metadata) j WHERE j.key = ?)"
            return ((negated ? "NOT " : "") + exists, [.text(key)])
        }
        return ("json_type(threads.metadata, ?) IS \(negated ? "" : "NOT ")NULL", [.text(path)])
    }

    static func scanMatches(_ key: String, _ pattern: String, negated: Bool) -> (String, [SQLiteValue]) {
        guard let path = jsonPath(key) else {
            let exists = "EXISTS (SELECT 1 FROM json_each(threads.metadata) j WHERE j.key = ? AND j.value GLOB ?)"
            return ((negated ? "NOT " : "") + exists, [.text(key), .text(pattern)])
        }
        let test = "coalesce(json_extract(threads.metadata, ?) GLOB ?, 0)"
        return ((negated ? "NOT " : "") + test, [.text(path), .text(pattern)])
    }
}
