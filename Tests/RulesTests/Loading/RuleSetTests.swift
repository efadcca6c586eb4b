import Foundation
import TestSupport
import Testing
import UnitFile

@testable import Rules

struct RuleSetTests {
    @Test func validRulesLoadWhileBrokenOnesAreReported() throws {
        let directory = TemporaryDirectory()
        try directory.write("b-audit.rule", "[Rule]\nAction=report\n")
        try directory.write("a-old.rule", "[Rule]\nAction=delete\n[Match]\nOlderThan=90d\n")
        try directory.write("c-broken.rule", "[Rule]\nAction=delete\n[Match]\nOlderThen=90d\nIdleFor=x\n")
        try directory.write("README", "not a rule\n")
        try directory.write("threadkeeper.conf.example", "[API]\n")
        let (rules, diagnostics) = RuleSet.load(directory: directory.path, now: 1_780_000_000)
        #expect(rules.map(\.name) == ["a-old", "b-audit"])
        #expect(rules[0].file == directory.file("a-old.rule"))
        #expect(diagnostics.allSatisfy { $0.file == directory.file("c-broken.rule") })
        #expect(diagnostics.map(\.line) == [4, 5, 3])
    }

    @Test func aRuleLinkedToDevNullIsMasked() throws {
        let directory = TemporaryDirectory()
        try directory.write("kept.rule", "[Rule]\nAction=report\n")
        try FileManager.default.createSymbolicLink(atPath: directory.file("masked.rule"), withDestinationPath: "/dev/null")
        let (rules, diagnostics) = RuleSet.load(directory: directory.path)
        #expect(rules.map(\.name) == ["kept"])
        #expect(diagnostics.isEmpty)
    }

    @Test func missingDirectoryIsOneFinding() {
        let (rules, diagnostics) = RuleSet.load(directory: "/nonexistent/rules.d")
        #expect(rules.isEmpty)
        #expect(
            diagnostics.map(\.description) == [
                "/nonexistent/rules.d: error: the rules directory does not exist; create it or pass --rules DIR"
            ])
    }

    @Test func sameNameTwiceIsRefused() throws {
        let one = TemporaryDirectory()
        let two = TemporaryDirectory()
        let first = try one.write("x.rule", "[Rule]\nAction=report\n")
        let second = try two.write("x.rule", "[Rule]\nAction=report\n")
        let (rules, diagnostics) = RuleSet.load(files: [first, second])
        #expect(rules.map(\.file) == [first])
        #expect(diagnostics.map(\.message) == ["a rule named `x` was already loaded from \(first); rule names must be unique"])
    }

    @Test func budgetAndHoldReachEveryFile() throws {
        let directory = TemporaryDirectory()
        try directory.write("fast.rule", "[Rule]\nAction=report\n[Limits]\nRequestsPerSecond=50\n")
        try directory.write("hold.rule", "[Rule]\nAction=delete\n[Match]\nMetadata=custody\n")
        let (rules, diagnostics) = RuleSet.load(
            directory: directory.path, hold: "custody", budget: RuleBudget(requestsPerSecond: 5, concurrency: 8))
        #expect(rules.map(\.name) == ["hold"])
        #expect(diagnostics.map(\.severity) == [.error, .warning])
    }
}
