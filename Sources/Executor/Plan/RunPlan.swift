import Ledger
import Rules

/// One guard's verdict on a run, as `plan` shows it.
public struct GuardVerdict: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable {
        /// Nothing to hold back.
        case pass
        /// The run goes ahead on fewer threads.
        case limits
        /// The run is refused.
        case refuses
        /// The guard would refuse, but `--force` overrides it.
        case overridden
    }

    /// `MaxThreads`, `MaxFraction`, `Hold`, `--limit`.
    public var name: String
    public var status: Status
    public var detail: String
}

/// A thread a run would act on, and why it matches.
public struct PlannedThread: Sendable, Hashable {
    public var id: String
    /// Nil when the ledger does not know the thread's age.
    public var createdAt: Int64?
    public var metadata: [String: String]
    public var reason: String
}

/// What a run of a rule would do now: the guards' verdicts and the threads it would act on.
public struct RunPlan: Sendable {
    public var rule: String
    public var action: RuleAction
    /// The moment the rule was compiled against.
    public var now: Int64
    /// The threads the run selects: the rule's query (within the saved plan, for `--plan`).
    public var query: InventoryQuery
    /// Threads the rule matches now.
    public var matched: Int
    /// Live threads in the ledger, the base of `MaxFraction=`.
    public var liveInventory: Int
    /// Live threads the rule would match but for a hold.
    public var held: Int
    /// Threads the run acts on after `MaxThreads=` and `--limit`, oldest first.
    public var planned: Int
    public var verdicts: [GuardVerdict]
    /// Why the run is refused; nil when it may go ahead.
    public var refusal: String?
    /// The first threads the run would act on.
    public var sample: [PlannedThread]
    /// The saved plan the run is limited to.
    public var planID: Int64?

    /// `matched` as a share of the live inventory (0…1).
    public var fraction: Double { liveInventory > 0 ? Double(matched) / Double(liveInventory) : 0 }
}

/// Plan and guard: reads the ledger, never the API.
public enum Planner {
    /// Plans a run of `request.rule` against the ledger as it is at `now`.
    public static func plan(_ request: RunRequest, ledger: Ledger, now: Int64, sampleSize: Int = 10) throws -> RunPlan {
        let rule = request.rule
        let compiled = rule.compile(now: now, hold: request.hold)
        var query = compiled.query
        if let planID = request.planID {
            guard let saved = try ledger.plan(id: planID) else { throw ExecutorError.unknownPlan(planID) }
            guard saved.rule == rule.name else {
                throw ExecutorError.planForOtherRule(planID: planID, planRule: saved.rule, rule: rule.name)
            }
            guard saved.ruleDigest == rule.digest else {
                throw ExecutorError.planOutdated(
                    planID: planID, rule: rule.name, savedDigest: saved.ruleDigest, currentDigest: rule.digest)
            }
            query = InventoryQuery.inPlan(planID).and(query)
        }
        let live = try ledger.count(matching: .state(.live))
        let (matched, held) = try ledger.countWithHeld(matching: query)

        var verdicts: [GuardVerdict] = []
        var planned = matched
        var refusal: String?
        if let maxThreads = rule.limits.maxThreads {
            if matched > maxThreads {
                planned = maxThreads
                verdicts.append(
                    GuardVerdict(
                        name: "MaxThreads", status: .limits,
                        detail: "\(matched) match, at most \(maxThreads) a run: the oldest \(maxThreads) now, the rest in later runs"))
            } else {
                verdicts.append(GuardVerdict(name: "MaxThreads", status: .pass, detail: "\(matched) ≤ \(maxThreads)"))
            }
        }
        if let limit = request.limit, planned > limit {
            planned = limit
            verdicts.append(GuardVerdict(name: "--limit", status: .limits, detail: "at most \(limit) threads this run, oldest first"))
        }
        if let maxFraction = rule.limits.maxFraction {
            let share = live > 0 ? Double(matched) / Double(live) * 100 : 0
            let shown = "\(formatPercent(share)) of the \(live) live threads"
            if share > maxFraction {
                let message =
                    "rule '\(rule.name)' matches \(matched) threads, \(shown), more than MaxFraction=\(formatPercent(maxFraction)); "
                    + "check the rule with 'threadkeeper explain', or run with --force if this is meant"
                if request.force {
                    verdicts.append(GuardVerdict(name: "MaxFraction", status: .overridden, detail: "\(shown): allowed by --force"))
                } else {
                    verdicts.append(GuardVerdict(name: "MaxFraction", status: .refuses, detail: shown))
                    refusal = message
                }
            } else {
                verdicts.append(
                    GuardVerdict(name: "MaxFraction", status: .pass, detail: "\(shown) ≤ \(formatPercent(maxFraction))"))
            }
        }
        if rule.action.changesThreads {
            verdicts.append(
                GuardVerdict(
                    name: "Hold", status: held > 0 ? .limits : .pass,
                    detail: held > 0
                        ? "\(held) otherwise matching threads carry `\(request.hold)` and are never touched" : "no held thread matches"))
        }

        var sample: [PlannedThread] = []
        let share = live > 0 ? Double(matched) / Double(live) : 0
        try ledger.forEachThread(matching: query, limit: min(sampleSize, planned), share: share) { thread in
            sample.append(
                PlannedThread(id: thread.id, createdAt: thread.createdAt, metadata: thread.metadata, reason: reason(compiled, thread)))
        }
        return RunPlan(
            rule: rule.name, action: rule.action, now: now, query: query, matched: matched, liveInventory: live, held: held,
            planned: planned, verdicts: verdicts, refusal: refusal, sample: sample, planID: request.planID)
    }

    /// How many threads the rule matches now: the backlog `status` and the metrics show, from
    /// the same count `plan` makes.
    public static func backlog(_ rule: Rule, ledger: Ledger, now: Int64, hold: String) throws -> Int {
        try ledger.countWithHeld(matching: rule.compile(now: now, hold: hold).query).matched
    }

    /// Why a thread matches: what it has for each condition of the rule's `[Match]`.
    public static func reason(_ compiled: CompiledRule, _ thread: ThreadRecord) -> String {
        compiled.conditions.compactMap { condition -> String? in
            switch condition.kind {
            case .state, .notHeld: return nil
            default: return "\(condition.origin): \(condition.actual(for: thread))"
            }
        }.joined(separator: "; ")
    }

    /// `25%`, `12.5%`.
    public static func formatPercent(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? "\(Int(rounded))%" : "\(rounded)%"
    }
}
