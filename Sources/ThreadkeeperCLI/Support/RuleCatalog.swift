import CommandLineKit
import Foundation
import Ledger
import Rules
import UnitFile

/// The configuration, the loaded rules and (when it exists) the ledger, as `rules` and `explain` use them.
struct RuleCatalog {
    var configuration: Configuration
    var rules: [Rule]
    var diagnostics: [Diagnostic]
    var ledgerPath: String
    /// nil when there is no ledger file yet.
    var ledger: Ledger?
    var now: Int64

    static func load(_ context: CommandContext, now: Int64 = Int64(Date().timeIntervalSince1970)) throws -> RuleCatalog {
        let configuration = try context.loadConfiguration()
        let directory = context.rulesDirectory(for: configuration)
        let (rules, diagnostics) = RuleSet.load(
            directory: directory, hold: configuration.hold.value, budget: configuration.budget, now: now)
        let path = context.ledgerPath(for: configuration)
        let ledger = FileManager.default.fileExists(atPath: path) ? try Ledger(path: path, readOnly: true) : nil
        return RuleCatalog(
            configuration: configuration, rules: rules, diagnostics: diagnostics, ledgerPath: path, ledger: ledger, now: now)
    }

    var hold: String { configuration.hold.value }

    /// Prints findings about rule files on stderr; returns the exit code they call for.
    func reportFindings(_ context: CommandContext) -> ExitCode {
        for diagnostic in diagnostics { context.standardError.line(diagnostic.description) }
        return diagnostics.containsErrors ? .dataError : .success
    }

    /// The next time the rule's schedule elapses after `time`, or nil (manual only, or disabled).
    func nextElapse(_ rule: Rule, after time: Int64) -> Int64? {
        guard rule.enabled, let schedule = rule.schedule else { return nil }
        return schedule.nextElapse(after: time)
    }

    /// "next 2026-11-25 03:00:00 UTC", "manual runs only", "disabled".
    func scheduleText(_ rule: Rule) -> String {
        guard let schedule = rule.schedule else { return rule.enabled ? "manual runs only" : "manual runs only (disabled)" }
        guard rule.enabled else { return "\(schedule.text) (disabled: Enabled=no)" }
        guard let next = schedule.nextElapse(after: now) else { return "\(schedule.text) (never elapses again)" }
        return "\(schedule.text); next \(TimeFormatting.utc(next))"
    }
}
