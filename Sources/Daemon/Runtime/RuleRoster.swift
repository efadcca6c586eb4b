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
    public private(set) var rules: [String: Rule] = [:]

    public init() {}

    /// The rule name a rule file stands for: its file name without `.rule`.
    public static func ruleName(ofFile file: String) -> String { Rule.name(forFile: file) }

    /// Applies a load of the rules directory (`RuleSet.load`'s result) and reports the change.
    public mutating func apply(loaded: [Rule], diagnostics: [Diagnostic]) -> Change {
        let failedNames = Set(diagnostics.filter { $0.severity == .error }.map { Self.ruleName(ofFile: $0.file) })
        let loadedByName = Dictionary(loaded.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var next: [String: Rule] = [:]
        var change = Change()
        for (name, rule) in loadedByName {
            next[name] = rule
            if let old = rules[name] {
                if old.digest != rule.digest { change.changed.append(name) }
            } else {
                change.added.append(name)
            }
        }
        for name in failedNames where loadedByName[name] == nil {
            if let old = rules[name] {
                next[name] = old
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
        rules.values.filter { $0.enabled && $0.schedule != nil }.sorted { $0.name < $1.name }.map { rule in
            ScheduledRule(name: rule.name, schedule: rule.schedule!.calendar, lastRun: lastRuns[rule.name])
        }
    }
}
