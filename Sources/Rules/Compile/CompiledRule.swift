import Ledger
import Schedule

/// A rule resolved against one moment: a ledger query and a predicate that select the same threads.
public struct CompiledRule: Sendable {
    public let name: String
    public let action: RuleAction
    /// The moment relative times were resolved against (Unix seconds).
    public let now: Int64
    /// Every condition, the implied ones (state, hold) included.
    public let conditions: [RuleCondition]

    /// The `[Match]` section as a query over the inventory, with the hold kept apart: the
    /// Ledger writes the SQL and chooses how to read it (see `InventoryQuery`).
    public var query: InventoryQuery {
        var hold: String?
        var terms: [ThreadPredicate] = []
        for condition in conditions {
            if case .notHeld(let key) = condition.kind {
                hold = key
            } else {
                terms.append(condition.predicate)
            }
        }
        return InventoryQuery(.and(terms), excludingHeld: hold)
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
    public func compile(now: Int64, hold: String = RuleSet.defaultHold) -> CompiledRule {
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
