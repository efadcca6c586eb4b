import Ledger
import SQLite
import Schedule

/// A rule resolved against one moment: a ledger query and a predicate that select the same threads.
public struct CompiledRule: Sendable {
    public let name: String
    public let action: RuleAction
    /// The moment relative times were resolved against (Unix seconds).
    public let now: Int64
    /// Every condition, the implied ones (state, hold) included.
    public let conditions: [RuleCondition]

    /// The `[Match]` section (and the hold) as an SQL condition over `threads`, every value
    /// bound. The first metadata test a thread must pass drives the query (see `InventoryQuery`).
    public var query: InventoryQuery {
        var driver: InventoryQuery.MetadataTest?
        var parts: [(String, [SQLiteValue])] = []
        for condition in conditions {
            if driver == nil, let test = condition.requiredMetadata {
                driver = test
                continue
            }
            parts.append(condition.sql)
        }
        guard !parts.isEmpty else { return InventoryQuery(condition: "1", driver: driver) }
        let (condition, arguments) = Self.conjunction(parts[...])
        return InventoryQuery(condition: condition, arguments: arguments, driver: driver)
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

    /// Whether one thread matches, and which conditions hold or fail.
    public func evaluate(_ thread: ThreadRecord) -> RuleVerdict {
        RuleVerdict(results: conditions.map { ConditionResult(condition: $0, holds: $0.holds(for: thread)) })
    }
}

/// The outcome of checking one thread against a compiled rule.
public struct RuleVerdict: Sendable, Hashable {
    public var results: [ConditionResult]

    public var matches: Bool { results.allSatisfy(\.holds) }
    /// The conditions that fail, in rule order.
    public var failing: [ConditionResult] { results.filter { !$0.holds } }
}

public struct ConditionResult: Sendable, Hashable {
    public var condition: RuleCondition
    public var holds: Bool
}

extension Rule {
    /// Resolves the rule's relative times against `now` and adds the state and hold conditions.
    ///
    /// A thread whose metadata has the key `hold` never matches a delete, tag or untag rule.
    public func compile(now: Int64, hold: String = Configuration.defaultHold) -> CompiledRule {
        var conditions: [RuleCondition] = []
        // First, as every rule has it: a reader of `explain` sees the kind before the rest.
        conditions.append(RuleCondition(.object(match.object), origin: "Object=\(match.object.rawValue)"))
        conditions.append(
            RuleCondition(.state(match.states), origin: "State=" + match.states.map(\.rawValue).joined(separator: " ")))
        if !match.sources.isEmpty {
            conditions.append(
                RuleCondition(.source(match.sources), origin: "Source=" + match.sources.map(\.rawValue).joined(separator: " ")))
        }
        if let span = match.olderThan {
            conditions.append(
                RuleCondition(.createdBefore(Self.cutoff(now, span)), origin: "OlderThan=\(match.written("OlderThan", span))"))
        }
        if let span = match.newerThan {
            conditions.append(
                RuleCondition(.createdAtOrAfter(Self.cutoff(now, span)), origin: "NewerThan=\(match.written("NewerThan", span))"))
        }
        if let text = match.createdBefore {
            // Checked at load; a timestamp that no longer parses matches nothing rather than everything.
            let time = (try? Timestamp.parse(text, now: now)) ?? Int64.min
            conditions.append(RuleCondition(.createdBefore(time), origin: "CreatedBefore=\(text)"))
        }
        if let text = match.createdAfter {
            let time = (try? Timestamp.parse(text, now: now)) ?? Int64.max
            conditions.append(RuleCondition(.createdAtOrAfter(time), origin: "CreatedAfter=\(text)"))
        }
        if let span = match.idleFor {
            conditions.append(RuleCondition(.activityBefore(Self.cutoff(now, span)), origin: "IdleFor=\(match.written("IdleFor", span))"))
        }
        if let span = match.activeWithin {
            conditions.append(
                RuleCondition(.activityAtOrAfter(Self.cutoff(now, span)), origin: "ActiveWithin=\(match.written("ActiveWithin", span))"))
        }
        for condition in match.metadata {
            conditions.append(RuleCondition(.metadata(condition), origin: "Metadata=\(condition)"))
        }
        // `Metadata=!HOLD` already says it; a second identical lookup per thread would only cost time.
        let saysNotHeld = match.metadata.contains { $0.key == hold && $0.test == .absent }
        if action.changesThreads, !saysNotHeld {
            conditions.append(RuleCondition(.notHeld(hold), origin: "Hold=\(hold)"))
        }
        return CompiledRule(name: name, action: action, now: now, conditions: conditions)
    }

    /// `now` minus the whole seconds of `span`: `created_at < cutoff` is exactly "older than span".
    static func cutoff(_ now: Int64, _ span: TimeSpan) -> Int64 {
        let (value, overflow) = now.subtractingReportingOverflow(span.seconds)
        return overflow ? Int64.min : value
    }
}
