import Foundation
import Rules
import UnitFile

/// The rules in force in the daemon, and what a reload changed.
///
/// A rule file that fails to load at start never runs. On a reload, a file that no longer loads
/// keeps its last good version in force (its fault is reported), a deleted file's rule is
/// dropped, and new or edited files that load take effect. Pure: the loading is done by the caller
/// (`RuleSet.load`), this only decides.
public struct RuleRoster: Sendable {
    /// What one load or reload did.
    public struct Change: Sendable, Equatable {
        public var added: [String] = []
        public var changed: [String] = []
        public var removed: [String] = []
        /// Rules whose file failed to load and that keep their last good version.
        public var keptLastGood: [String] = []
        /// Files that failed to load and have no rule in force.
        public var rejected: [String] = []

        public init(
            added: [String] = [], changed: [String] = [], removed: [String] = [], keptLastGood: [String] = [], rejected: [String] = []
        ) {
            self.added = added
            self.changed = changed
            self.removed = removed
            self.keptLastGood = keptLastGood
            self.rejected = rejected
        }

        /// One line for `STATUS=` and the journal: `2 rules; changed: a; kept last good: b`.
        public func summary(ruleCount: Int) -> String {
            var parts = ["\(ruleCount) rule\(ruleCount == 1 ? "" : "s")"]
            for (label, names) in [
                ("added", added), ("changed", changed), ("removed", removed), ("kept last good", keptLastGood),
                ("rejected", rejected),
            ] where !names.isEmpty {
                parts.append("\(label): " + names.joined(separator: ", "))
            }
            return parts.joined(separator: "; ")
        }
    }

    /// The rules in force, by name.
    public private(set) var rules = Rules()

    public init() {}

    /// The rule name a rule file stands for: its file name without `.rule`.
    public static func ruleName(ofFile file: String) -> String { Rule.name(forFile: file) }

    /// Applies a load of the rules directory (`RuleSet.load`'s result) and reports the change.
    public mutating func apply(loaded: [Rule], diagnostics: [Diagnostic]) -> Change {
        let failedNames = Set(diagnostics.filter { $0.severity == .error }.map { Self.ruleName(ofFile: $0.file) })
        var next = Rules(loaded)
        var change = Change()
        for rule in next.all {
            if let old = rules[rule.name] {
                if old.digest != rule.digest { change.changed.append(rule.name) }
            } else {
                change.added.append(rule.name)
            }
        }
        for name in failedNames where next[name] == nil {
            if let old = rules[name] {
                next.append(old)
                change.keptLastGood.append(name)
            } else {
                change.rejected.append(name)
            }
        }
        for name in rules.keys where next[name] == nil { change.removed.append(name) }
        change.added.sort()
        change.changed.sort()
        change.removed.sort()
        change.keptLastGood.sort()
        change.rejected.sort()
        rules = next
        return change
    }

    /// The enabled rules with a `Schedule=`, for the scheduler; `lastRuns` (from the ledger)
    /// gives each its last scheduled start for `RunMissed=`.
    public func scheduled(lastRuns: [String: Date] = [:]) -> [ScheduledRule] {
        rules.all.filter { $0.enabled && $0.schedule != nil }.sorted { $0.name < $1.name }.map { rule in
            ScheduledRule(name: rule.name, schedule: rule.schedule!.calendar, lastRun: lastRuns[rule.name])
        }
    }
}

extension RuleRoster {
    /// The rules in force: the array a load returned, kept as it is, and an index by name.
    ///
    /// The daemon's host keeps the same load for its metrics; holding that array rather than a
    /// dictionary of copies keeps one copy of each rule in memory (a `Rule` is about 500 bytes
    /// inline, and a dictionary of 1,000 has room for 2,048: docs/BENCHMARKS.md).
    public struct Rules: Sendable {
        /// Load order; a rule kept at its last good version comes after the loaded ones.
        private(set) var all: [Rule] = []
        /// Each name's place in `all`.
        private var positions: [String: Int] = [:]

        init() {}

        /// `loaded` itself (not a copy) unless a name repeats, when the first rule of that name counts.
        init(_ loaded: [Rule]) {
            positions.reserveCapacity(loaded.count)
            for (offset, rule) in loaded.enumerated() where positions[rule.name] == nil { positions[rule.name] = offset }
            if positions.count == loaded.count {
                all = loaded
            } else {
                all = loaded.enumerated().filter { positions[$0.element.name] == $0.offset }.map(\.element)
                for (offset, rule) in all.enumerated() { positions[rule.name] = offset }
            }
        }

        fileprivate mutating func append(_ rule: Rule) {
            precondition(positions[rule.name] == nil, "rule \(rule.name) is in force twice")
            positions[rule.name] = all.count
            all.append(rule)
        }

        public subscript(name: String) -> Rule? { positions[name].map { all[$0] } }

        /// The names in force, in no particular order.
        public var keys: Dictionary<String, Int>.Keys { positions.keys }

        public var count: Int { all.count }
    }
}
