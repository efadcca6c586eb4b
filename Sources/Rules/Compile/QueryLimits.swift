import Ledger
import SQLite

/// What SQLite can run of a rule, checked when the rule is loaded so that `check` refuses
/// every rule `plan` and `run` cannot carry out.
///
/// A rule's conditions become one SQL expression with a `?` for every value. Three of
/// SQLite's limits can be reached by a rule file (every connection has SQLite's documented
/// defaults, or the library's own where lower: see `SQLiteLimits`):
/// - bound values: `SQLITE_LIMIT_VARIABLE_NUMBER` (32766). The largest statement of a run is
///   the count of matching and held threads, which binds the conditions twice: once with the
///   hold and once without. Each `Metadata=key=glob` binds two values there, each `Metadata=key`
///   one, so a rule holds at most about 8,190 pattern conditions.
/// - GLOB patterns: `SQLITE_LIMIT_LIKE_PATTERN_LENGTH` (50,000 bytes); a longer pattern makes
///   GLOB fail with "LIKE or GLOB pattern too complex" on the first row it reads.
/// - expression depth: `SQLITE_LIMIT_EXPR_DEPTH` (1000). Conditions are joined as a balanced
///   tree (`CompiledRule.conjunction`), so depth grows with the logarithm of their count and is
///   reached only by a library built with a far lower limit.
/// The SQL text (one SQL statement up to `SQLITE_LIMIT_SQL_LENGTH`, 10⁹ bytes) carries no value,
/// about 100 bytes a condition, so the bound-value limit comes first by four orders of magnitude.
public struct QueryLimits: Sendable, Hashable {
    public var sqlite: SQLiteLimits

    public init(sqlite: SQLiteLimits = .library) {
        self.sqlite = sqlite
    }

    /// Values the run's paged read binds beyond the rule's own: a saved plan's id, the page
    /// cursor (two) and the page size.
    static let pagingValues = 4

    /// The deepest a condition's own expression goes, with the statement around it (`NOT
    /// EXISTS (SELECT … WHERE a.b = ? AND …)` is seven levels; the count's `coalesce(sum(CASE
    /// WHEN …))` and a saved plan's `AND` add five): an upper bound, not an exact figure.
    static let depthAroundConjunction = 16

    /// Values bound by the largest statement a run of `rule` prepares.
    public static func boundValues(_ rule: Rule, now: Int64, hold: String) -> Int {
        let compiled = rule.compile(now: now, hold: hold)
        var unheld = rule
        unheld.action = .report
        let count = compiled.scanQuery.arguments.count + unheld.compile(now: now, hold: hold).scanQuery.arguments.count
        let page = compiled.query.boundArguments.count + pagingValues
        return max(count, page)
    }

    /// The expression depth the rule's statements reach, at most.
    public static func expressionDepth(conditions: Int) -> Int {
        var levels = 0
        while (1 << levels) < max(conditions, 1) { levels += 1 }
        return levels + depthAroundConjunction
    }
}
