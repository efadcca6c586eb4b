import SQLite

/// What SQLite can run of an inventory query, checked when a rule is loaded so that `check`
/// refuses every rule `plan` and `run` cannot carry out.
///
/// The Ledger renders a query's conditions as one SQL expression with a `?` for every value.
/// Three of SQLite's limits can be reached by a rule file (every connection has SQLite's
/// documented defaults, or the library's own where lower: see `SQLiteLimits`):
/// - bound values: `SQLITE_LIMIT_VARIABLE_NUMBER` (32766). The largest statement of a run is
///   the count of matching and held threads, which binds the conditions twice: once with the
///   hold and once without. Each `Metadata=key=glob` binds two values there, each `Metadata=key`
///   one, so a rule holds at most about 8,190 pattern conditions.
/// - GLOB patterns: `SQLITE_LIMIT_LIKE_PATTERN_LENGTH` (50,000 bytes); a longer pattern makes
///   GLOB fail with "LIKE or GLOB pattern too complex" on the first row it reads.
/// - expression depth: `SQLITE_LIMIT_EXPR_DEPTH` (1000). Conditions are joined as a balanced
///   tree (`InventoryQuery.conjunction`), so depth grows with the logarithm of their count and
///   is reached only by a library built with a far lower limit.
/// The SQL text (one SQL statement up to `SQLITE_LIMIT_SQL_LENGTH`, 10⁹ bytes) carries no value,
/// about 100 bytes a condition, so the bound-value limit comes first by four orders of magnitude.
public struct QueryLimits: Sendable, Hashable {
    /// `SQLITE_LIMIT_VARIABLE_NUMBER`: the most values one statement binds.
    public var variables: Int
    /// `SQLITE_LIMIT_EXPR_DEPTH`: the deepest expression tree.
    public var expressionDepth: Int
    /// `SQLITE_LIMIT_LIKE_PATTERN_LENGTH`: the longest GLOB pattern, in bytes.
    public var patternBytes: Int

    /// The limits of every ledger connection.
    public init() {
        let library = SQLiteLimits.library
        variables = library.variables
        expressionDepth = library.expressionDepth
        patternBytes = library.patternBytes
    }

    /// Values the run's paged read binds beyond the query's own: a saved plan's id, the page
    /// cursor (two) and the page size.
    static let pagingValues = 4

    /// The deepest a condition's own expression goes, with the statement around it (`NOT
    /// EXISTS (SELECT … WHERE a.b = ? AND …)` is seven levels; the count's `coalesce(sum(CASE
    /// WHEN …))` and a saved plan's `AND` add five): an upper bound, not an exact figure.
    static let depthAroundConjunction = 16

    /// The expression depth a query of `conditions` conditions reaches, at most.
    public static func expressionDepth(conditions: Int) -> Int {
        var levels = 0
        while (1 << levels) < max(conditions, 1) { levels += 1 }
        return levels + depthAroundConjunction
    }
}

extension InventoryQuery {
    /// Values bound by the largest statement the Ledger prepares for the query: the count of
    /// matching and held threads (in the scan form, the conditions twice), or a page of them.
    public var boundValues: Int {
        let count = scan.arguments.count + ignoringHold.scan.arguments.count
        let page = max(indexed.arguments.count, walk.arguments.count) + QueryLimits.pagingValues
        return max(count, Ledger.countWithHeldStatement(self).1.count, page)
    }
}
