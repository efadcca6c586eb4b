import SQLite
import TestSupport
import Testing

@testable import Ledger

struct InventoryQueryTests {
    /// Removed when the test ends: held by the suite, so a ledger never outlives its directory.
    let directory = TemporaryDirectory()

    func seeded() throws -> (TemporaryDirectory, Ledger) {
        let directory = self.directory
        let ledger = try Ledger(path: directory.file("ledger.sqlite3"))
        let records = [
            ThreadRecord(id: "thread_c", createdAt: 300, metadata: ["tag": "support"], firstSeen: 1),
            ThreadRecord(id: "thread_a", createdAt: 100, metadata: ["tag": "support", "legal_hold": "1"], firstSeen: 1),
            ThreadRecord(id: "thread_b", createdAt: 100, metadata: ["tag": "sales"], firstSeen: 1),
            ThreadRecord(id: "thread_d", createdAt: 50, metadata: ["tag": "support-eu"], state: .deleted, firstSeen: 1),
        ]
        for record in records { try ledger.save(record) }
        return (directory, ledger)
    }

    @Test func countsAndStreamsOldestFirst() throws {
        let (_, ledger) = try seeded()
        let query = InventoryQuery.state(.live).and(.metadata("tag", glob: "support*"))
        #expect(try ledger.count(matching: query) == 2)
        var seen: [String] = []
        try ledger.forEachThread(matching: .all) { seen.append($0.id) }
        #expect(seen == ["thread_d", "thread_a", "thread_b", "thread_c"])
        var limited: [ThreadRecord] = []
        try ledger.forEachThread(matching: query, limit: 1) { limited.append($0) }
        #expect(limited.map(\.id) == ["thread_a"])
        #expect(limited.first?.metadata == ["tag": "support", "legal_hold": "1"])
    }

    /// The threads the scan form selects, oldest first.
    func scanned(_ ledger: Ledger, _ query: InventoryQuery) throws -> [ThreadRecord] {
        var records: [ThreadRecord] = []
        try ledger.forEachThread(query.scan, limit: nil) { records.append($0) }
        return records
    }

    @Test func aMetadataTestDrivesTheQueryAndASecondOneJoinsTheCondition() throws {
        let (_, ledger) = try seeded()
        let support = InventoryQuery.metadata("tag", glob: "support*")
        #expect(support.indexed.source.hasPrefix("(SELECT thread_id FROM thread_metadata WHERE key = ? AND value GLOB ?)"))
        #expect(support.indexed.source.contains("JOIN threads ON threads.id = driving_metadata.thread_id"))
        let held = support.and(.metadataPresent("legal_hold"))
        #expect(held.indexed.source == support.indexed.source)
        #expect(held.indexed.condition == "threads.id IN (SELECT thread_id FROM thread_metadata WHERE key = ?)")
        #expect(held.indexed.arguments == [.text("tag"), .text("support*"), .text("legal_hold")])
        #expect(try ledger.count(matching: held) == 1)
        #expect(try ledger.count(matching: .metadataPresent("legal_hold")) == 1)
        // A driver taken from the right-hand side, after a plain condition.
        let live = InventoryQuery.state(.live).and(support)
        #expect(live.indexed.source == support.indexed.source)
        #expect(live.indexed.arguments == [.text("tag"), .text("support*"), .text("live")])
        #expect(try ledger.count(matching: live) == 2)
        // The scan form, which reads metadata in place without a driver, selects the same threads.
        for query in [support, held, live, InventoryQuery.metadataPresent("tag")] {
            #expect(query.scan.source == "threads")
            #expect(!query.scan.condition.contains("thread_metadata"))
            #expect(try scanned(ledger, query).count == ledger.count(matching: query))
            #expect(try scanned(ledger, query) == ledger.threads(matching: query, limit: 10))
        }
        // Pages keep the driver.
        let first = try ledger.threads(matching: support, limit: 2)
        #expect(first.map(\.id) == ["thread_d", "thread_a"])
        #expect(try ledger.threads(matching: support, after: ThreadPosition(first[1]), limit: 2).map(\.id) == ["thread_c"])
    }

    /// The details of `EXPLAIN QUERY PLAN`, one a step.
    func queryPlan(_ ledger: Ledger, _ statement: (String, [SQLiteValue])) throws -> [String] {
        try ledger.rows("EXPLAIN QUERY PLAN " + statement.0, statement.1).map { $0[3].textValue ?? "" }
    }

    @Test func aWholeInventoryCountReadsTheTableOnceOrStartsFromASelectiveMetadataTest() throws {
        let (_, ledger) = try seeded()
        // Age and state alone: one pass over the table. SQLite would walk threads_by_state
        // and look every entry up in the table, and `NOT INDEXED` does not stop it on a WITHOUT
        // ROWID table; the scan form's unary `+` does.
        let old = InventoryQuery(.and([.state([.live]), .createdBefore(200)]), excludingHeld: "legal_hold")
        #expect(!old.countsThroughDriver)
        #expect(try queryPlan(ledger, Ledger.countWithHeldStatement(old)) == ["SCAN threads"])
        #expect(try ledger.countWithHeld(matching: old) == (matched: 1, held: 1))
        // A key's presence is not taken as selective; a value is, and drives the count.
        let tagged = InventoryQuery(.and([.state([.live]), .metadataPresent("tag")]), excludingHeld: "legal_hold")
        #expect(!tagged.countsThroughDriver)
        #expect(try queryPlan(ledger, Ledger.countWithHeldStatement(tagged)) == ["SCAN threads"])
        #expect(try ledger.countWithHeld(matching: tagged) == (matched: 2, held: 1))
        let support = InventoryQuery(.and([.state([.live]), .metadataMatches("tag", pattern: "support*")]), excludingHeld: "legal_hold")
        #expect(support.countsThroughDriver)
        let steps = try queryPlan(ledger, Ledger.countWithHeldStatement(support))
        #expect(steps.first?.hasPrefix("SEARCH thread_metadata USING COVERING INDEX thread_metadata_by_value") == true, "\(steps)")
        #expect(try ledger.countWithHeld(matching: support) == (matched: 1, held: 1))
        #expect(try ledger.countWithHeld(matching: support.ignoringHold) == (matched: 2, held: 0))
    }

    @Test func aSmallSampleOfACommonMatchWalksTheStateIndexInOrder() throws {
        let (_, ledger) = try seeded()
        let query = InventoryQuery(.and([.state([.live]), .metadataMatches("tag", pattern: "s*")]), excludingHeld: "legal_hold")
        let walk = query.walk
        let steps = try queryPlan(
            ledger, ("SELECT threads.id FROM threads WHERE \(walk.condition) ORDER BY threads.created_at, threads.id", walk.arguments))
        #expect(steps.contains { $0.contains("USING INDEX threads_by_state") }, "\(steps)")
        #expect(!steps.contains { $0.contains("TEMP B-TREE") }, "\(steps)")
        for share in [1.0, 0.5, 0.0001, 0] {
            var ids: [String] = []
            try ledger.forEachThread(matching: query, limit: 1, share: share) { ids.append($0.id) }
            #expect(ids == ["thread_b"], "share \(share)")
        }
    }

    @Test func aPatternLongerThanSQLiteTakesIsRefusedBeforeAnyReadWhateverTheData() throws {
        let (_, ledger) = try seeded()
        let long = String(repeating: "*", count: QueryLimits().patternBytes) + "x"
        // No value lies in the driver's index range (`zz…`): SQLite would compare the pattern with nothing.
        let query = InventoryQuery(.and([.state([.live]), .metadataMatches("tag", pattern: "zz" + long)]))
        let reads: [() throws -> Void] = [
            { _ = try ledger.count(matching: query) },
            { _ = try ledger.countWithHeld(matching: query) },
            { try ledger.forEachThread(matching: query) { _ in } },
            { try ledger.forEachThread(matching: query, limit: 1, share: 1) { _ in } },
            { _ = try ledger.threads(matching: query, limit: 1) },
            { _ = try ledger.savePlan(rule: "r", ruleDigest: "d", ruleFile: "r.rule", query: query) },
        ]
        for read in reads {
            let error = try #require(throws: LedgerError.self) { try read() }
            #expect(error.kind == .invalidArgument)
            #expect(error.message.contains("LIKE or GLOB pattern too complex"))
            #expect(error.message.contains("'tag' is 50003 bytes"))
        }
        #expect(try ledger.rows("SELECT count(*) FROM plans") == [[.integer(0)]])
        // The longest pattern SQLite takes is read.
        #expect(try ledger.count(matching: InventoryQuery(.metadataMatches("tag", pattern: String(long.dropFirst())))) == 0)
    }

    @Test func pagesContinueAfterAPosition() throws {
        let (_, ledger) = try seeded()
        let first = try ledger.threads(limit: 2)
        #expect(first.map(\.id) == ["thread_d", "thread_a"])
        let second = try ledger.threads(after: ThreadPosition(first[1]), limit: 2)
        #expect(second.map(\.id) == ["thread_b", "thread_c"])
        #expect(try ledger.threads(after: ThreadPosition(second[1]), limit: 2).isEmpty)
    }

    @Test func pagesWalkThreadsOfUnknownAgeFirstThenTheRestWithoutLosingAny() throws {
        let (_, ledger) = try seeded()
        for id in ["thread_y", "thread_x"] { try ledger.save(ThreadRecord(id: id, createdAt: nil, firstSeen: 1)) }
        var seen: [String] = []
        var position: ThreadPosition?
        while true {
            let page = try ledger.threads(after: position, limit: 1)
            guard let last = page.last else { break }
            seen += page.map(\.id)
            position = ThreadPosition(last)
        }
        #expect(seen == ["thread_x", "thread_y", "thread_d", "thread_a", "thread_b", "thread_c"])
        #expect(try ledger.count(matching: .createdBefore(1_000)) == 4)
    }

    @Test func keyAbsentAndCreatedBefore() throws {
        let (_, ledger) = try seeded()
        let noHold = InventoryQuery.metadataAbsent("legal_hold").and(.createdBefore(200)).and(.state(.live))
        #expect(try ledger.count(matching: noHold) == 1)
        #expect(try scanned(ledger, noHold).map(\.id) == ["thread_b"])
        // The same as a hold: counted apart, with what it keeps back.
        let heldBack = InventoryQuery(.and([.createdBefore(200), .state([.live])]), excludingHeld: "legal_hold")
        #expect(try ledger.count(matching: heldBack) == 1)
        #expect(try ledger.countWithHeld(matching: heldBack) == (matched: 1, held: 1))
        #expect(try ledger.countWithHeld(matching: heldBack.ignoringHold) == (matched: 2, held: 0))
    }

    @Test func markStateAndRoundTrip() throws {
        let (_, ledger) = try seeded()
        #expect(try ledger.markState(.gone, threadIDs: ["thread_b", "thread_zzz"]) == 1)
        let record = try #require(try ledger.thread(id: "thread_b"))
        #expect(record.state == .gone)
        #expect(record.source == .import)
        #expect(record.lastSynced == nil)
        #expect(try ledger.thread(id: "thread_zzz") == nil)
    }
}
