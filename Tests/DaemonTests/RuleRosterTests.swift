import Foundation
import Rules
import Testing
import UnitFile

@testable import Daemon

@Suite struct RuleRosterTests {
    static func rule(_ name: String, schedule: String? = "*-*-* 03:00:00 UTC", olderThan: String = "30d", enabled: Bool = true) -> Rule {
        var text = "[Rule]\nAction=report\n"
        if let schedule { text += "Schedule=\(schedule)\n" }
        if !enabled { text += "Enabled=no\n" }
        text += "\n[Match]\nOlderThan=\(olderThan)\n"
        let (rule, findings) = Rule.parse(text: text, file: "/etc/threadkeeper/rules.d/\(name).rule", now: 1_795_575_600)
        precondition(rule != nil, "test rule does not parse: \(findings)")
        return rule!
    }

    static func fault(_ name: String) -> Diagnostic {
        Diagnostic(file: "/etc/threadkeeper/rules.d/\(name).rule", line: 3, column: 1, message: "unknown key `Bogus` in [Rule]")
    }

    @Test func aFirstLoadAddsWhatLoadedAndRejectsWhatDidNot() {
        var roster = RuleRoster()
        let change = roster.apply(loaded: [Self.rule("a"), Self.rule("b")], diagnostics: [Self.fault("c")])
        #expect(change == RuleRoster.Change(added: ["a", "b"], rejected: ["c"]))
        #expect(roster.rules.keys.sorted() == ["a", "b"])
        #expect(change.summary(ruleCount: 2) == "2 rules; added: a, b; rejected: c")
    }

    @Test func aBrokenFileKeepsItsLastGoodVersionOnReload() {
        var roster = RuleRoster()
        let original = Self.rule("a")
        _ = roster.apply(loaded: [original, Self.rule("b"), Self.rule("gone")], diagnostics: [])
        let edited = Self.rule("b", olderThan: "60d")
        let change = roster.apply(loaded: [edited, Self.rule("new")], diagnostics: [Self.fault("a"), Self.fault("broken-new")])
        #expect(
            change == RuleRoster.Change(added: ["new"], changed: ["b"], removed: ["gone"], keptLastGood: ["a"], rejected: ["broken-new"]))
        #expect(roster.rules["a"]?.digest == original.digest)
        #expect(roster.rules["b"]?.digest == edited.digest)
        #expect(roster.rules.keys.sorted() == ["a", "b", "new"])
        #expect(change.summary(ruleCount: 3) == "3 rules; added: new; changed: b; removed: gone; kept last good: a; rejected: broken-new")
        // A warning is not a failure to load.
        var warned = RuleRoster()
        var warning = Self.fault("a")
        warning.severity = .warning
        #expect(warned.apply(loaded: [], diagnostics: [warning]) == RuleRoster.Change())
    }

    @Test func theRosterKeepsTheLoadedArrayItselfAndTheFirstRuleOfARepeatedName() {
        var roster = RuleRoster()
        let loaded = [Self.rule("a"), Self.rule("b")]
        _ = roster.apply(loaded: loaded, diagnostics: [])
        // The host keeps the same load: one copy of each rule in memory, not one per holder.
        let kept = roster.rules.all.withUnsafeBufferPointer { $0.baseAddress }
        #expect(kept != nil && kept == loaded.withUnsafeBufferPointer { $0.baseAddress })
        let first = Self.rule("a", olderThan: "60d")
        let change = roster.apply(loaded: [first, Self.rule("a", olderThan: "90d"), Self.rule("c")], diagnostics: [])
        #expect(change == RuleRoster.Change(added: ["c"], changed: ["a"], removed: ["b"]))
        #expect(roster.rules.count == 2)
        #expect(roster.rules["a"]?.digest == first.digest)
        #expect(roster.rules.keys.sorted() == ["a", "c"])
    }

    @Test func onlyEnabledScheduledRulesAreScheduled() {
        var roster = RuleRoster()
        _ = roster.apply(
            loaded: [Self.rule("b"), Self.rule("manual", schedule: nil), Self.rule("off", enabled: false), Self.rule("a")], diagnostics: [])
        let last = Date(timeIntervalSince1970: 1_795_000_000)
        let scheduled = roster.scheduled(lastRuns: ["a": last])
        #expect(scheduled.map(\.name) == ["a", "b"])
        #expect(scheduled.map(\.lastRun) == [last, nil])
        #expect(scheduled.first?.schedule.normalized == "*-*-* 03:00:00 UTC")
    }
}
