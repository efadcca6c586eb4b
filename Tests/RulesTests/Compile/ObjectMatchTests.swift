import SQLite
import TestSupport
import Testing
import UnitFile

@testable import Ledger
@testable import Rules

/// `[Match] Object=`: which kind of row a rule manages.
struct ObjectMatchTests {
    static let now: Int64 = 1_780_000_000
    static let day: Int64 = 86_400

    @Test func aRuleWithoutObjectManagesThreadsAsBefore() throws {
        let (rule, diagnostics) = Rule.parse(text: "[Rule]\nAction=delete\n[Match]\nOlderThan=30d\n", file: "r.rule", now: Self.now)
        #expect(diagnostics.isEmpty)
        let r = try #require(rule)
        #expect(r.match.object == .thread)
        let compiled = r.compile(now: Self.now)
        #expect(compiled.conditions.first?.origin == "Object=thread")
        #expect(r.matchSummary() == "live threads, older than 30d, not held (`legal_hold`)")
    }

    @Test func objectConversationIsReadAndSummarized() throws {
        let text = "[Rule]\nAction=delete\n[Match]\nObject=conversation\nOlderThan=30d\n"
        let (rule, diagnostics) = Rule.parse(text: text, file: "r.rule", now: Self.now)
        #expect(diagnostics.isEmpty)
        let r = try #require(rule)
        #expect(r.match.object == .conversation)
        #expect(r.matchSummary() == "live conversations, older than 30d, not held (`legal_hold`)")
        #expect(r.compile(now: Self.now).conditions.first?.summary == "a conversation")
    }

    @Test func anUnknownObjectIsNamedWithWhereAndWhatToWrite() {
        let (rule, diagnostics) = Rule.parse(
            text: "[Rule]\nAction=report\n[Match]\nObject=conversations\n", file: "/r/x.rule", now: Self.now)
        #expect(rule == nil)
        #expect(
            diagnostics.map(\.description) == [
                "/r/x.rule:4:8: error: unknown object `conversations` for `Object=`; did you mean `conversation`?"
            ])
        let (_, other) = Rule.parse(text: "[Rule]\nAction=report\n[Match]\nObject=assistant\n", file: "/r/y.rule", now: Self.now)
        #expect(other.map(\.description).first?.hasSuffix("use one of: thread, conversation") == true)
    }

    @Test func theQueryAndThePredicateSelectTheSameKind() throws {
        let directory = TemporaryDirectory()
        let ledger = try Ledger(path: directory.file("ledger.sqlite3"), now: { Self.now })
        var records: [ThreadRecord] = []
        for index in 0..<40 {
            let kind: ObjectKind = index % 3 == 0 ? .conversation : .thread
            let record = ThreadRecord(
                id: (kind == .conversation ? "conv_" : "thread_") + String(index), createdAt: Self.now - Int64(index) * 5 * Self.day,
                metadata: index % 2 == 0 ? ["tag": "support"] : [:], firstSeen: 1, object: kind)
            try ledger.save(record)
            records.append(record)
        }
        for object in ["thread", "conversation"] {
            let text = "[Rule]\nAction=delete\n[Match]\nObject=\(object)\nOlderThan=30d\nMetadata=tag=support\n"
            let (rule, diagnostics) = Rule.parse(text: text, file: "r.rule", now: Self.now)
            #expect(!diagnostics.containsErrors)
            let compiled = try #require(rule).compile(now: Self.now)
            var fromSQL: [String] = []
            try ledger.forEachThread(matching: compiled.query) { fromSQL.append($0.id) }
            let fromPredicate = records.filter { compiled.evaluate($0).matches }.map(\.id)
            #expect(Set(fromSQL) == Set(fromPredicate))
            #expect(!fromSQL.isEmpty)
            #expect(fromSQL.allSatisfy { $0.hasPrefix(object == "thread" ? "thread_" : "conv_") })
            var scanned = 0
            try ledger.forEachThread(compiled.query.scan, limit: nil) { _ in scanned += 1 }
            #expect(scanned == fromSQL.count)
        }
    }
}
