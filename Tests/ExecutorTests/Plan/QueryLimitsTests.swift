import Foundation
import Ledger
import Rules
import SQLite
import TestSupport
import Testing

@testable import Executor

/// `check` refuses exactly the rules a run cannot carry out: at SQLite's limits, the largest
/// rule loading accepts plans (also within a saved plan), and one condition more is refused
/// with its line.
struct QueryLimitsTests {
    /// A delete rule with `count` lines `Metadata=!kN=v*`, one a line from line 6 on.
    static func ruleText(conditions count: Int) -> String {
        var text = "[Rule]\nAction=delete\n\n[Match]\nOlderThan=30d\n"
        for index in 1...count { text += "Metadata=!k\(index)=v*\n" }
        return text
    }

    /// The count of a run binds the conditions twice, with the hold and without: the kind
    /// (`Object=`, 1), state (1), `OlderThan` (1), two values a `Metadata=` line and the hold
    /// (1), then the same less the hold, so 4n + 7 values; SQLite's limit on every connection
    /// is 32766, so n = 8189.
    static let largest = 8189

    @Test func theLimitsAreSQLitesDocumentedDefaultsOnEveryHost() throws {
        #expect(SQLiteLimits.library.variables == 32766)
        #expect(SQLiteLimits.library.expressionDepth == 1000)
        #expect(SQLiteLimits.library.patternBytes == 50000)
        // A ledger connection has the same ones, whatever the library's compile-time maximum.
        let directory = TemporaryDirectory()
        let database = try SQLiteDatabase(path: directory.file("l.sqlite3"))
        let fits = "SELECT 1 IN (" + Array(repeating: "?", count: 32766).joined(separator: ", ")
        #expect(try database.scalar(fits + ")", Array(repeating: .integer(1), count: 32766))?.integerValue == 1)
        let error = try #require(throws: SQLiteError.self) { try database.prepare(fits + ", ?)") }
        #expect(error.code == .error)
        #expect(error.message == "too many SQL variables")
    }

    @Test func theLargestRuleThatLoadsPlansAndOneConditionMoreIsRefused() async throws {
        let harness = try await ExecutorHarness()
        let old = try await harness.thread(ageDays: 60)
        try await harness.thread(ageDays: 60, metadata: ["k17": "value"])
        try await harness.thread(ageDays: 5)

        let rule = try harness.rule("many", Self.ruleText(conditions: Self.largest))
        #expect(rule.match.metadata.count == Self.largest)
        // Statements this large take seconds: off the cooperative pool, so the tests beside this
        // one keep their threads.
        let ledger = harness.ledger
        let (plan, saved, within) = try await onOwnThread {
            let plan = try Planner.plan(RunRequest(rule: rule), ledger: ledger, now: ExecutorHarness.now)
            // A saved plan, and a plan within it (the run's first step), bind the conditions too.
            let saved = try ledger.savePlan(
                rule: rule.name, ruleDigest: rule.digest, ruleFile: rule.file, query: plan.query, limit: plan.planned)
            let within = try Planner.plan(RunRequest(rule: rule, planID: saved.id), ledger: ledger, now: ExecutorHarness.now)
            return (plan, saved, within)
        }
        #expect(plan.matched == 1)
        #expect(plan.sample.map(\.id) == [old])
        #expect(saved.matched == 1)
        #expect(within.matched == 1)
        #expect(within.sample.map(\.id) == [old])

        let text = Self.ruleText(conditions: Self.largest + 1)
        let (refused, diagnostics) = Rule.parse(text: text, file: "many.rule", now: ExecutorHarness.now)
        #expect(refused == nil)
        let error = try #require(diagnostics.first)
        #expect(diagnostics.count == 1)
        #expect(error.line == 5 + Self.largest + 1)
        #expect(error.message.contains("\(4 * (Self.largest + 1) + 7) values"))
        #expect(error.message.contains("at most 32766 (SQLITE_LIMIT_VARIABLE_NUMBER)"))
        #expect(error.message.contains("the first \(Self.largest) `Metadata=` lines fit"))

        // What loading refuses, a plan could not have run: the same rule built without the reader.
        var unchecked = rule
        unchecked.match.metadata.append(try #require(MetadataCondition.parse("!k\(Self.largest + 1)=v*")))
        #expect {
            try Planner.plan(RunRequest(rule: unchecked), ledger: harness.ledger, now: ExecutorHarness.now)
        } throws: { error in
            String(describing: error).contains("too many SQL variables")
        }
        await harness.stop()
    }

    @Test func aPatternSQLiteTakesPlansAndOneByteLongerIsRefused() async throws {
        let harness = try await ExecutorHarness()
        // The value matches the longest pattern: 49,999 `*` and an `x`.
        let matching = try await harness.thread(ageDays: 60, metadata: ["note": "x"])
        try await harness.thread(ageDays: 60, metadata: ["note": "y"])
        let longest = String(repeating: "*", count: 49_999) + "x"
        let rule = try harness.rule("long", "[Rule]\nAction=delete\n\n[Match]\nOlderThan=30d\nMetadata=note=\(longest)\n")
        let ledger = harness.ledger
        let plan = try await onOwnThread { try Planner.plan(RunRequest(rule: rule), ledger: ledger, now: ExecutorHarness.now) }
        #expect(plan.matched == 1)
        #expect(plan.sample.map(\.id) == [matching])

        let tooLong = "é" + String(repeating: "*", count: 49_998) + "x"
        let (refused, diagnostics) = Rule.parse(
            text: "[Rule]\nAction=delete\n\n[Match]\nOlderThan=30d\nMetadata=note=\(tooLong)\n", file: "long.rule",
            now: ExecutorHarness.now)
        #expect(refused == nil)
        let error = try #require(diagnostics.first)
        #expect(error.line == 6)
        #expect(error.column == 15)
        #expect(error.message.contains("is 50001 bytes"))
        #expect(error.message.contains("at most 50000 bytes (SQLITE_LIMIT_LIKE_PATTERN_LENGTH)"))

        var unchecked = rule
        unchecked.match.metadata = [try #require(MetadataCondition.parse("note=" + tooLong))]
        #expect {
            try Planner.plan(RunRequest(rule: unchecked), ledger: harness.ledger, now: ExecutorHarness.now)
        } throws: { error in
            String(describing: error).contains("LIKE or GLOB pattern too complex")
        }
        await harness.stop()
    }

    @Test func checkNamesTheFileTheLineAndTheLimitAndExits65() throws {
        let directory = TemporaryDirectory()
        try directory.write("rules/many.rule", Self.ruleText(conditions: Self.largest + 1))
        let config = try directory.write("tk.conf", "[API]\nProvider=custom\nBaseURL=http://127.0.0.1:9\n")
        let result = try ProcessRunner.threadkeeper(
            ["check", "--rules", directory.file("rules"), "--config", config], environment: ["PATH": "/usr/bin:/bin"])
        #expect(result.status == 65)
        #expect(result.standardOutput.hasPrefix("\(directory.file("rules/many.rule")):\(5 + Self.largest + 1):10: error: "))
        #expect(result.standardOutput.contains("SQLite binds at most 32766"))
    }
}
