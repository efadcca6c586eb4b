import Emulator
import Schedule
import TestSupport
import Testing

@testable import Ledger
@testable import Rules

/// The ledger query and the in-memory predicate of a compiled rule select exactly the same
/// threads, over random inventories in a real SQLite ledger and random rules.
struct AgreementPropertyTests {
    static let now: Int64 = 1_780_000_000
    static let day: Int64 = 86_400
    static let keys = ["tag", "tenant", "legal_hold", "hold", "tier", "é", "e\u{301}", "k*", "a.b", "q\"k", "[0]"]
    static let valueAlphabet = ["a", "b", "s", "u", "p", "-", "]", "^", "é", "*", "?", "[", " "]
    static let patternAlphabet = ["a", "b", "s", "u", "p", "-", "*", "?", "[", "]", "^", "é"]

    static func word(_ alphabet: [String], _ maxLength: Int, _ random: inout SplitMix64) -> String {
        (0..<Int.random(in: 0...maxLength, using: &random)).map { _ in alphabet.randomElement(using: &random)! }.joined()
    }

    static func thread(_ index: Int, _ random: inout SplitMix64) -> ThreadRecord {
        let created = now - Int64.random(in: 0...(400 * day), using: &random)
        var metadata: [String: String] = [:]
        for _ in 0..<Int.random(in: 0...4, using: &random) {
            metadata[keys.randomElement(using: &random)!] = word(valueAlphabet, 5, &random)
        }
        let activity: Int64? =
            Bool.random(using: &random) ? nil : Int64.random(in: created...now, using: &random)
        // One in five of unknown age (imported as a bare id): no age condition may match it, in either.
        let unknownAge = Int.random(in: 0..<5, using: &random) == 0
        return ThreadRecord(
            id: "thread_\(index)_\(random.next() % 1000)", createdAt: unknownAge ? nil : created, metadata: metadata,
            state: ThreadState.allCases.randomElement(using: &random)!,
            source: ThreadSource.allCases.randomElement(using: &random)!, firstSeen: created, lastActivity: activity)
    }

    static func span(_ random: inout SplitMix64) -> TimeSpan? {
        Int.random(in: 0..<3, using: &random) == 0
            ? TimeSpan(microseconds: Int64.random(in: 0...(300 * day * 1_000_000), using: &random)) : nil
    }

    static func rule(_ random: inout SplitMix64) -> Rule {
        var match = RuleMatch()
        match.olderThan = span(&random)
        match.newerThan = span(&random)
        match.idleFor = span(&random)
        match.activeWithin = span(&random)
        if Int.random(in: 0..<4, using: &random) == 0 {
            match.createdBefore = "@\(now - Int64.random(in: 0...(400 * day), using: &random))"
        }
        if Int.random(in: 0..<4, using: &random) == 0 { match.createdAfter = "-\(Int.random(in: 0...400, using: &random))d" }
        for _ in 0..<Int.random(in: 0...3, using: &random) {
            let key = keys.randomElement(using: &random)!
            let glob = Glob(word(patternAlphabet, 4, &random))
            let test: MetadataCondition.Test = [.present, .absent, .matches(glob), .doesNotMatch(glob)].randomElement(using: &random)!
            match.metadata.append(MetadataCondition(key: key, test: test))
        }
        if Bool.random(using: &random) {
            match.sources = Array(ThreadSource.allCases.shuffled(using: &random).prefix(Int.random(in: 1...2, using: &random)))
        }
        match.states = Array(ThreadState.allCases.shuffled(using: &random).prefix(Int.random(in: 1...3, using: &random)))
        return Rule(name: "random", action: RuleAction.allCases.randomElement(using: &random)!, match: match)
    }

    @Test(arguments: [UInt64(1), 2, 3, 4])
    func queryAndPredicateSelectTheSameThreads(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        let directory = TemporaryDirectory()
        let ledger = try Ledger(path: directory.file("ledger.sqlite3"), now: { Self.now })
        var threads: [ThreadRecord] = []
        for index in 0..<250 {
            let record = Self.thread(index, &random)
            try ledger.save(record)
            threads.append(record)
        }
        var nonEmpty = 0
        for _ in 0..<150 {
            let rule = Self.rule(&random)
            let hold = Bool.random(using: &random) ? "legal_hold" : "hold"
            let compiled = rule.compile(now: Self.now, hold: hold)
            var fromLedger: [String] = []
            try ledger.forEachThread(matching: compiled.query) { fromLedger.append($0.id) }
            let fromPredicate = threads.filter { compiled.evaluate($0).matches }.map(\.id)
            #expect(Set(fromLedger) == Set(fromPredicate), "rule \(rule.match) hold \(hold): \(compiled.query.sql)")
            #expect(try ledger.count(matching: compiled.query) == fromPredicate.count)
            var fromScan: [String] = []
            let scan = compiled.query.scan
            try ledger.forEachThread(scan, limit: nil) { fromScan.append($0.id) }
            #expect(Set(fromScan) == Set(fromPredicate), "scan form of rule \(rule.match) hold \(hold): \(scan.condition)")
            var fromWalk: [String] = []
            try ledger.forEachThread(compiled.query.walk, limit: nil) { fromWalk.append($0.id) }
            #expect(fromWalk == fromLedger, "walk form of rule \(rule.match) hold \(hold)")
            // The count plan and status make, through the driver or in one pass, and what the hold keeps back.
            var unheld = rule
            unheld.action = .report
            let all = threads.filter { unheld.compile(now: Self.now, hold: hold).evaluate($0).matches }.count
            let counted = try ledger.countWithHeld(matching: compiled.query)
            #expect(counted.matched == fromPredicate.count, "count of rule \(rule.match) hold \(hold)")
            #expect(counted.held == all - fromPredicate.count, "held count of rule \(rule.match) hold \(hold)")
            if !fromPredicate.isEmpty { nonEmpty += 1 }
        }
        // The generator must produce rules that select something, or agreement proves little.
        #expect(nonEmpty > 20)
    }
}
