import SQLite
import Schedule
import TestSupport
import Testing

@testable import Ledger
@testable import Rules

struct CompiledRuleTests {
    static let now: Int64 = 1_780_000_000
    static let day: Int64 = 86_400

    static func rule(_ text: String, _ file: String = "r.rule") throws -> Rule {
        let (rule, diagnostics) = Rule.parse(text: text, file: file, now: now)
        #expect(!diagnostics.containsErrors, "\(diagnostics)")
        return try #require(rule)
    }

    static func thread(_ id: String, ageDays: Int64, metadata: [String: String] = [:], activityDaysAgo: Int64? = nil) -> ThreadRecord {
        ThreadRecord(
            id: id, createdAt: now - ageDays * day, metadata: metadata, firstSeen: now - ageDays * day,
            lastActivity: activityDaysAgo.map { now - $0 * day })
    }

    @Test func everyValueIsBoundNeverSpliced() throws {
        let rule = try Self.rule("[Rule]\nAction=delete\n[Match]\nOlderThan=30d\nMetadata=tag=x'); DROP TABLE threads; --\n")
        let query = rule.compile(now: Self.now).query
        #expect(query.predicate.terms.contains(.metadataMatches("tag", pattern: "x'); DROP TABLE threads; --")))
        #expect(query.hold == "legal_hold")
        // What the ledger runs, in both forms: the driver's side-table selection, then the expression
        // (its first term the kind, Object=thread).
        for (read, firstValue) in [(query.indexed, SQLiteValue.text("tag")), (query.scan, .text("thread"))] {
            let sql = "FROM \(read.source) WHERE \(read.condition)"
            #expect(!sql.contains("DROP"))
            #expect(!sql.contains("legal_hold"))
            #expect(!sql.contains("'"))
            #expect(read.arguments.first == firstValue)
            #expect(read.arguments.contains(.text("x'); DROP TABLE threads; --")))
            #expect(read.arguments.contains(.integer(Self.now - 30 * Self.day)))
            #expect(read.arguments.contains(.text("legal_hold")) || read.arguments.contains(.text("$.\"legal_hold\"")))
            #expect(sql.filter { $0 == "?" }.count == read.arguments.count)
        }
    }

    @Test func olderAndNewerPartitionAtTheCutoff() throws {
        let older = try Self.rule("[Rule]\nAction=report\n[Match]\nOlderThan=30d\n").compile(now: Self.now)
        let newer = try Self.rule("[Rule]\nAction=report\n[Match]\nNewerThan=30d\n").compile(now: Self.now)
        for age: Int64 in [29, 30, 31] {
            for offset: Int64 in [-1, 0, 1] {
                var thread = Self.thread("t", ageDays: age)
                thread.createdAt = thread.createdAt.map { $0 + offset }
                #expect(older.evaluate(thread).matches != newer.evaluate(thread).matches)
            }
        }
        var exactly = Self.thread("t", ageDays: 30)
        #expect(!older.evaluate(exactly).matches)
        exactly.createdAt = exactly.createdAt.map { $0 - 1 }
        #expect(older.evaluate(exactly).matches)
    }

    @Test func aThreadOfUnknownAgeMatchesNoAgeConditionEitherWayAndExplainSaysWhy() throws {
        var unknown = Self.thread("u", ageDays: 100)
        unknown.createdAt = nil
        for match in ["OlderThan=30d", "NewerThan=30d", "IdleFor=14d", "ActiveWithin=14d", "CreatedBefore=@1", "CreatedAfter=@1"] {
            let compiled = try Self.rule("[Rule]\nAction=report\n[Match]\n\(match)\n").compile(now: Self.now)
            let verdict = compiled.evaluate(unknown)
            #expect(!verdict.matches, "\(match)")
            let failing = try #require(verdict.failing.first)
            #expect(failing.condition.actual(for: unknown).contains("age unknown (imported without created_at)"), "\(match)")
        }
        // Known activity still counts for the activity conditions.
        unknown.lastActivity = Self.now - 20 * Self.day
        let idle = try Self.rule("[Rule]\nAction=report\n[Match]\nIdleFor=14d\n").compile(now: Self.now)
        #expect(idle.evaluate(unknown).matches)
    }

    @Test func idleUsesLastActivityElseCreation() throws {
        let idle = try Self.rule("[Rule]\nAction=report\n[Match]\nIdleFor=14d\n").compile(now: Self.now)
        #expect(idle.evaluate(Self.thread("a", ageDays: 100, activityDaysAgo: 20)).matches)
        #expect(!idle.evaluate(Self.thread("b", ageDays: 100, activityDaysAgo: 3)).matches)
        #expect(idle.evaluate(Self.thread("c", ageDays: 100)).matches)
        #expect(!idle.evaluate(Self.thread("d", ageDays: 2)).matches)
    }

    @Test func relativeTimestampsResolveAtCompileTime() throws {
        let rule = try Self.rule("[Rule]\nAction=report\n[Match]\nCreatedBefore=-10d\nCreatedAfter=@1700000000\n")
        let thread = Self.thread("t", ageDays: 12)
        #expect(rule.compile(now: Self.now).evaluate(thread).matches)
        #expect(!rule.compile(now: Self.now - 5 * Self.day).evaluate(thread).matches)
        #expect(!rule.compile(now: Self.now).evaluate(ThreadRecord(id: "old", createdAt: 1_600_000_000, firstSeen: 0)).matches)
    }

    @Test func verdictNamesTheFailingCondition() throws {
        let compiled = try Self.rule("[Rule]\nAction=delete\n[Match]\nOlderThan=30d\nMetadata=tag=support\n").compile(now: Self.now)
        let verdict = compiled.evaluate(Self.thread("t", ageDays: 40, metadata: ["tag": "billing"]))
        #expect(!verdict.matches)
        #expect(verdict.failing.map(\.condition.origin) == ["Metadata=tag=support"])
        #expect(
            verdict.results.map(\.condition.origin) == [
                "Object=thread", "State=live", "OlderThan=30d", "Metadata=tag=support", "Hold=legal_hold",
            ])
    }

    @Test(arguments: [RuleAction.delete, .tag, .untag])
    func holdsNeverMatchActionsThatChangeThreads(action: RuleAction) throws {
        let extra = action == .tag ? "[Action]\nSet=x=y\n" : action == .untag ? "[Action]\nRemove=x\n" : ""
        let text = "[Rule]\nAction=\(action.rawValue)\n[Match]\nOlderThan=1d\nMetadata=!legal_hold=*\n" + extra
        let rule = try Self.rule(text)
        let directory = TemporaryDirectory()
        let ledger = try Ledger(path: directory.file("l.sqlite3"), now: { Self.now })
        let held = Self.thread("held", ageDays: 90, metadata: ["legal_hold": "case-42"])
        let heldEmpty = Self.thread("held-empty", ageDays: 90, metadata: ["custody": ""])
        let free = Self.thread("free", ageDays: 90, metadata: ["tag": "support"])
        for thread in [held, heldEmpty, free] { try ledger.save(thread) }
        // With the default hold key, the thread carrying `legal_hold` is out whatever the rule says.
        let byDefault = rule.compile(now: Self.now)
        var ids: [String] = []
        try ledger.forEachThread(matching: byDefault.query) { ids.append($0.id) }
        #expect(Set(ids) == ["free", "held-empty"])
        #expect(byDefault.evaluate(held).failing.map(\.condition.origin).contains("Hold=legal_hold"))
        // With `Hold=custody`, a key with an empty value is a hold too.
        let custody = rule.compile(now: Self.now, hold: "custody")
        ids = []
        try ledger.forEachThread(matching: custody.query) { ids.append($0.id) }
        #expect(Set(ids) == ["free"])
        #expect(custody.evaluate(heldEmpty).failing.map(\.condition.origin) == ["Hold=custody"])
        for compiled in [byDefault, custody] {
            let fromPredicate = [held, heldEmpty, free].filter { compiled.evaluate($0).matches }.map(\.id)
            #expect(try ledger.count(matching: compiled.query) == fromPredicate.count)
        }
    }

    @Test func reportRulesSeeHeldThreads() throws {
        let compiled = try Self.rule("[Rule]\nAction=report\n[Match]\nMetadata=legal_hold\n").compile(now: Self.now)
        #expect(compiled.evaluate(Self.thread("h", ageDays: 1, metadata: ["legal_hold": "yes"])).matches)
        #expect(!compiled.conditions.contains { $0.origin.hasPrefix("Hold=") })
    }

    @Test func deleteIgnoresMetadataConditionThatNamesTheHoldKey() throws {
        let (rule, diagnostics) = Rule.parse(
            text: "[Rule]\nAction=delete\n[Match]\nOlderThan=1d\nMetadata=legal_hold=yes\n", file: "r.rule", now: Self.now)
        #expect(diagnostics.map(\.severity) == [.warning])
        let compiled = try #require(rule).compile(now: Self.now)
        #expect(!compiled.evaluate(Self.thread("h", ageDays: 5, metadata: ["legal_hold": "yes"])).matches)
    }
}

struct RuleWordsTests {
    @Test func matchSummaryReadsLikeTheRule() throws {
        let (rule, _) = Rule.parse(
            text:
                "[Rule]\nAction=delete\n[Match]\nOlderThan=30d\nMetadata=tag=support\nMetadata=!tier=gold*\nMetadata=!legal_hold\nIdleFor=14d\nSource=import\n",
            file: "r.rule", now: 0)
        #expect(
            try #require(rule).matchSummary()
                == "live threads from import, older than 30d, idle for 14d, `tag` is `support`, `tier` absent or not matching `gold*`, no `legal_hold`"
        )
    }

    @Test func explanationsNameWhatTheThreadHas() throws {
        let (rule, _) = Rule.parse(
            text: "[Rule]\nAction=report\n[Match]\nCreatedBefore=@1700000000\nMetadata=tag\n", file: "r.rule", now: 0)
        let compiled = try #require(rule).compile(now: 1_780_000_000)
        let thread = ThreadRecord(id: "t", createdAt: 1_700_000_100, metadata: ["tag": "x"], firstSeen: 0)
        let verdict = compiled.evaluate(thread)
        #expect(verdict.failing.map(\.condition.summary) == ["created before 2023-11-14 22:13:20 UTC"])
        #expect(verdict.failing.map { $0.condition.actual(for: thread) } == ["created 2023-11-14 22:15:00 UTC"])
        #expect(verdict.results.last?.condition.actual(for: thread) == "`tag` is `x`")
    }
}

struct HoldDeduplicationTests {
    @Test func aRuleThatExcludesTheHoldKeyItselfGetsNoSecondLookup() throws {
        let (rule, _) = Rule.parse(text: "[Rule]\nAction=delete\n[Match]\nOlderThan=1d\nMetadata=!legal_hold\n", file: "r.rule", now: 0)
        let compiled = try #require(rule).compile(now: 1_780_000_000)
        #expect(compiled.conditions.map(\.origin) == ["Object=thread", "State=live", "OlderThan=1d", "Metadata=!legal_hold"])
        // With another hold key, both stand.
        let custody = try #require(rule).compile(now: 1_780_000_000, hold: "custody")
        #expect(custody.conditions.map(\.origin).last == "Hold=custody")
    }
}
