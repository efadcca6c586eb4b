import Foundation
import TestSupport
import Testing

@testable import Ledger

/// Imports `text` as a file through `ImportReader` into `ledger`.
func importText(
    _ text: String, into ledger: Ledger, format: ImportFormat? = nil, atomic: Bool = false, batchSize: Int = 2
) throws -> (counts: ImportCounts, bad: [String], format: ImportFormat?) {
    let directory = TemporaryDirectory()
    let path = try directory.write("input", text)
    let descriptor = open(path, O_RDONLY)
    defer { close(descriptor) }
    let reader = ImportReader(descriptor: descriptor, path: path, format: format)
    var bad: [String] = []
    struct Refused: Error {}
    do {
        let counts = try ledger.importThreads(batchSize: batchSize) { emit in
            try reader.read(onThread: emit, onBad: { bad.append("\($0): \($1)") })
            if atomic, !bad.isEmpty { throw Refused() }
        }
        return (counts, bad, reader.format)
    } catch is Refused {
        return (ImportCounts(), bad, reader.format)
    }
}

struct ImportTests {
    /// Removed when the test ends: held by the suite, so a ledger never outlives its directory.
    let directory = TemporaryDirectory()

    func freshLedger(now: Int64 = 5_000, name: String = "ledger.sqlite3") throws -> (TemporaryDirectory, Ledger) {
        (directory, try Ledger(path: directory.file(name), now: { now }))
    }

    static let jsonl = """
        {"id":"thread_a","object":"thread","created_at":100,"metadata":{"tag":"support"},"tool_resources":{}}
        {"id":"thread_b","object":"thread","created_at":200,"metadata":null}

        {"id":"thread_c","object":"thread","created_at":"soon","metadata":{}}
        {"id":"thread_d","object":"thread.deleted","deleted":true}
        {"id":"thread_e","object":"thread","created_at":300,"metadata":{"n":1}}
        {"id":"thread_f","object":"thread","created_at":400,"metadata":{"tag":"s\\u00e9les \\"q\\""}}
        {"id":"thread_g","object":"thread","created_at":5
        """

    @Test func jsonlImportsThreadsAndReportsEachBadLine() throws {
        let (_, ledger) = try freshLedger()
        let result = try importText(Self.jsonl, into: ledger)
        #expect(result.format == .jsonl)
        #expect(result.counts == ImportCounts(imported: 3, updated: 0, unchanged: 0))
        #expect(
            result.bad == [
                "4: created_at 'soon' is neither Unix seconds nor a timestamp like 2025-12-06 01:51:17, 2025-12-06T01:51:17Z or 2025-12-06T01:51:17+02:00",
                "5: object is 'thread.deleted', not 'thread' or 'conversation'",
                "6: metadata 'n' is a number, not a string",
                "8: bad JSON: unexpected end of input in an object at byte 50",
            ])
        let a = try #require(try ledger.thread(id: "thread_a"))
        #expect(a == ThreadRecord(id: "thread_a", createdAt: 100, metadata: ["tag": "support"], firstSeen: 5_000))
        #expect(try ledger.thread(id: "thread_b")?.metadata == [:])
        #expect(try ledger.thread(id: "thread_f")?.metadata == ["tag": "séles \"q\""])
        #expect(try ledger.integrityCheck() == "ok")
    }

    @Test func reimportIsIdempotentAndUpdatesChangedMetadata() throws {
        let (_, ledger) = try freshLedger()
        _ = try importText(Self.jsonl, into: ledger)
        let again = try importText(Self.jsonl, into: ledger)
        #expect(again.counts == ImportCounts(imported: 0, updated: 0, unchanged: 3))
        let changed = #"{"id":"thread_a","object":"thread","created_at":100,"metadata":{"tag":"sales"}}"#
        let third = try importText(changed, into: ledger)
        #expect(third.counts == ImportCounts(imported: 0, updated: 1, unchanged: 0))
        #expect(try ledger.count() == 3)
        #expect(try ledger.count(matching: .metadata("tag", glob: "sales")) == 1)
        #expect(try ledger.rows("SELECT count(*) FROM thread_metadata WHERE thread_id = 'thread_a'") == [[.integer(1)]])
    }

    @Test func importNeverRevivesADeletedThread() throws {
        let (_, ledger) = try freshLedger()
        _ = try importText(Self.jsonl, into: ledger)
        try ledger.markState(.deleted, threadIDs: ["thread_a"])
        _ = try importText(Self.jsonl, into: ledger)
        #expect(try ledger.thread(id: "thread_a")?.state == .deleted)
    }

    @Test func csvWithQuotedMetadataAndBadLines() throws {
        let (_, ledger) = try freshLedger()
        let csv = """
            id,created_at,metadata
            thread_a,100,"{""tag"":""support"",""note"":""a, b""}"
            thread_b,200,
            thread_c,yesterday,{}
            thread_d,300,"{""tag"":
            "thread e",400,{}
            thread_f,500,[1]
            """
        let result = try importText(csv, into: ledger)
        #expect(result.format == .csv)
        #expect(result.counts.imported == 2)
        #expect(
            result.bad == [
                "4: created_at 'yesterday' is neither Unix seconds nor a timestamp like 2025-12-06 01:51:17, 2025-12-06T01:51:17Z or 2025-12-06T01:51:17+02:00",
                "5: bad CSV: unterminated quoted field or stray quote",
                "6: thread id 'thread e' has a character other than letters, digits and - _ . : ~",
                "7: metadata is an array, not an object",
            ])
        #expect(try ledger.thread(id: "thread_a")?.metadata == ["tag": "support", "note": "a, b"])
        #expect(try ledger.thread(id: "thread_b")?.metadata == [:])
    }

    @Test func csvColumnsMayComeInAnyOrder() throws {
        let (_, ledger) = try freshLedger()
        let result = try importText("metadata,id\n\"{\"\"k\"\":\"\"v\"\"}\",thread_a\n", into: ledger)
        #expect(result.counts.imported == 1)
        // No created_at column: the age is unknown (NULL) until a sync reads it from the API.
        let record = try #require(try ledger.thread(id: "thread_a"))
        #expect(record.createdAt == nil)
        #expect(try ledger.rows("SELECT typeof(created_at) FROM threads WHERE id = 'thread_a'")[0][0].textValue == "null")
    }

    @Test func bareIDsWithCommentsBlankLinesAndCRLF() throws {
        let (_, ledger) = try freshLedger()
        let result = try importText("# exported 2026-01-01\r\nthread_a\r\n\r\n  thread_b  \nthread/../x\n", into: ledger)
        #expect(result.format == .ids)
        #expect(result.counts.imported == 2)
        #expect(result.bad == ["5: thread id 'thread/../x' has a character other than letters, digits and - _ . : ~"])
        let b = try #require(try ledger.thread(id: "thread_b"))
        #expect(b.createdAt == nil && b.metadata == [:])
        // Bare ids say nothing new about a known thread.
        _ = try importText(#"{"id":"thread_a","created_at":7,"metadata":{"x":"y"}}"#, into: ledger)
        #expect(try importText("thread_a\n", into: ledger).counts == ImportCounts(unchanged: 1))
        #expect(try ledger.thread(id: "thread_a")?.metadata == ["x": "y"])
        #expect(try ledger.thread(id: "thread_a")?.createdAt == 7)
    }

    @Test func forcedFormatParsesEveryLineThatWay() throws {
        let (_, ledger) = try freshLedger()
        let result = try importText("{\"id\":\"x\"}\n", into: ledger, format: .ids)
        #expect(result.bad.count == 1)
        #expect(result.bad[0].hasPrefix("1: thread id '{\\\"id\\\":\\\"x\\\"}' has a character"))
    }

    @Test func atomicImportWritesNothingWhenALineIsBad() throws {
        let (_, ledger) = try freshLedger()
        let result = try importText(Self.jsonl, into: ledger, atomic: true, batchSize: 1)
        #expect(result.bad.count == 4)
        #expect(try ledger.count() == 0)
        #expect(try ledger.rows("SELECT count(*) FROM thread_metadata") == [[.integer(0)]])
    }

    @Test func bulkImportRebuildsTheIndexesItDropped() throws {
        let (_, ledger) = try freshLedger()
        let indexes = "SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name"
        let before = try ledger.rows(indexes)
        let lines = (0..<300).map { #"{"id":"thread_\#($0)","created_at":\#($0),"metadata":{"tag":"t\#($0 % 3)"}}"# }
        let counts = try ledger.importThreads(bulkThreshold: 100) { emit in
            var parser = ImportLineParser(format: .jsonl)
            for line in lines {
                guard case .thread(let record) = parser.parsed(line) else { return }
                try emit(record)
            }
        }
        #expect(counts == ImportCounts(imported: 300))
        #expect(try ledger.rows(indexes) == before)
        // A first load goes through a rollback journal and leaves the ledger in WAL mode again.
        #expect(try ledger.rows("PRAGMA journal_mode") == [[.text("wal")]])
        // The planner's statistics were refreshed, so metadata filters start from the side table's index.
        #expect(try ledger.rows("SELECT count(*) > 0 FROM sqlite_stat1 WHERE idx = 'thread_metadata_by_value'") == [[.integer(1)]])
        #expect(try ledger.count(matching: .metadata("tag", glob: "t1")) == 100)
        #expect(try ledger.integrityCheck() == "ok")
        // Again, with a change to every tenth thread, through the row-by-row path (fewer than the threshold).
        let changed = lines.enumerated().map {
            $0.offset % 10 == 0 ? $0.element.replacingOccurrences(of: #""tag":"t"#, with: #""tag":"x"#) : $0.element
        }
        let again = try ledger.importThreads(bulkThreshold: 1_000) { emit in
            var parser = ImportLineParser(format: .jsonl)
            for line in changed {
                guard case .thread(let record) = parser.parsed(line) else { return }
                try emit(record)
            }
        }
        #expect(again == ImportCounts(imported: 0, updated: 30, unchanged: 270))
        #expect(try ledger.count(matching: .metadata("tag", glob: "x*")) == 30)
    }

    @Test func bulkImportIntoAFilledLedgerKeepsTheSideTableEqualToTheMetadata() throws {
        let (_, ledger) = try freshLedger()
        let schema = "SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') ORDER BY name"
        let before = try ledger.rows(schema)
        // 100 known threads: some with metadata, some with none.
        let known = (0..<100).map { index -> ThreadImport in
            ThreadImport(id: "thread_\(index)", createdAt: Int64(index), metadata: index % 4 == 0 ? [:] : ["tag": "old\(index % 3)"])
        }
        #expect(try ledger.importThreads { emit in try known.forEach(emit) } == ImportCounts(imported: 100))
        // Then 250 threads through the bulk path: 50 of the known ones, 20 of them with new metadata.
        let incoming = (50..<300).map { index -> ThreadImport in
            ThreadImport(
                id: "thread_\(index)", createdAt: Int64(index),
                metadata: index < 70 ? ["tag": "new", "n": "\(index)"] : index < 100 ? known[index].metadata : ["tag": "t\(index % 2)"])
        }
        let counts = try ledger.importThreads(bulkThreshold: 200) { emit in try incoming.forEach(emit) }
        #expect(counts == ImportCounts(imported: 200, updated: 20, unchanged: 30))
        #expect(try ledger.rows(schema) == before)
        let sideTable = "SELECT thread_id, key, value FROM thread_metadata ORDER BY 1, 2"
        let fromMetadata = "SELECT t.id, j.key, j.value FROM threads AS t, json_each(t.metadata) AS j ORDER BY 1, 2"
        #expect(try ledger.rows(sideTable) == ledger.rows(fromMetadata))
        #expect(try ledger.rows("SELECT count(*) FROM thread_metadata") == [[.integer(37 + 20 * 2 + 23 + 200)]])
        #expect(try ledger.count(matching: .metadata("tag", glob: "new")) == 20)
        // The insert trigger is back: a thread added later gets its rows.
        #expect(
            try ledger.importThreads { emit in try emit(ThreadImport(id: "thread_late", metadata: ["tag": "late"])) }
                == ImportCounts(imported: 1))
        #expect(try ledger.count(matching: .metadata("tag", glob: "late")) == 1)
    }

    @Test func aFirstLoadWhileAnotherConnectionHasTheLedgerOpenStaysInWAL() throws {
        let (directory, ledger) = try freshLedger()
        let other = try Ledger(path: directory.file("ledger.sqlite3"), readOnly: true)
        #expect(try other.count() == 0)
        let started = Date()
        let counts = try ledger.importThreads(bulkThreshold: 100) { emit in
            for index in 0..<300 { try emit(ThreadImport(id: "thread_\(index)", createdAt: 1, metadata: ["tag": "t"])) }
        }
        #expect(counts == ImportCounts(imported: 300))
        // The switch to a rollback journal was refused at once, not after the busy timeout.
        #expect(Date().timeIntervalSince(started) < Double(Ledger.busyTimeoutMilliseconds) / 1000)
        #expect(try ledger.rows("PRAGMA journal_mode") == [[.text("wal")]])
        #expect(try other.count() == 300)
    }

    @Test func aReaderFailureAfterManyBatchesWritesNothing() throws {
        let (_, ledger) = try freshLedger()
        struct ReadFailed: Error {}
        #expect(throws: ReadFailed.self) {
            try ledger.importThreads(batchSize: 1_000) { emit in
                for index in 0..<(Ledger.stagingBatch * 5 + 7) {
                    try emit(ThreadImport(id: "thread_\(index)", createdAt: 1, metadata: ["tag": "t"]))
                }
                throw ReadFailed()
            }
        }
        #expect(try ledger.count() == 0)
        #expect(try ledger.rows("SELECT count(*) FROM thread_metadata") == [[.integer(0)]])
        // The connection is fine afterwards.
        let counts = try ledger.importThreads { emit in try emit(ThreadImport(id: "thread_a", createdAt: 1)) }
        #expect(counts == ImportCounts(imported: 1))
    }

    @Test func aStagingFailureStopsTheReading() throws {
        let (_, ledger) = try freshLedger()
        // A temp database of at most 16 pages: staging fails after a few hundred threads.
        try ledger.execute("PRAGMA temp.max_page_count = 16")
        var emitted = 0
        let total = Ledger.stagingBatch * 50
        let error = #expect(throws: LedgerError.self) {
            try ledger.importThreads { emit in
                for index in 0..<total {
                    try emit(ThreadImport(id: "thread_\(index)", createdAt: 1, metadata: ["tag": String(repeating: "x", count: 200)]))
                    emitted += 1
                }
            }
        }
        #expect(error?.kind == .full)
        // The reader stopped within the pipe's few batches of the failure, not at the end.
        #expect(emitted < Ledger.stagingBatch * 10)
        #expect(try ledger.count() == 0)
        try ledger.execute("PRAGMA temp.max_page_count = 1073741823")
        let counts = try ledger.importThreads { emit in try emit(ThreadImport(id: "thread_a", createdAt: 1)) }
        #expect(counts == ImportCounts(imported: 1))
    }

    @Test func aRepeatedIDKeepsItsLastLine() throws {
        let (_, ledger) = try freshLedger()
        let text = """
            {"id":"thread_a","created_at":1,"metadata":{"v":"1"}}
            {"id":"thread_a","created_at":2,"metadata":{"v":"2"}}
            """
        #expect(try importText(text, into: ledger).counts == ImportCounts(imported: 1, unchanged: 1))
        #expect(try ledger.thread(id: "thread_a")?.metadata == ["v": "2"])
        let third = try importText(text + "\n" + #"{"id":"thread_a","created_at":3,"metadata":{"v":"3"}}"#, into: ledger)
        #expect(third.counts == ImportCounts(updated: 1, unchanged: 2))
        #expect(try ledger.thread(id: "thread_a")?.createdAt == 3)
    }

    @Test func metadataLimitsOfTheAPI() {
        let many = Dictionary(uniqueKeysWithValues: (0..<17).map { ("k\($0)", "v") })
        #expect(ThreadImport(id: "t", metadata: many).problem() == "metadata has 17 keys; the API allows 16")
        #expect(ThreadImport(id: "t", metadata: ["k": String(repeating: "v", count: 513)]).problem()?.contains("512") == true)
        #expect(ThreadImport(id: "t", createdAt: 1, metadata: ["k": "v"]).problem() == nil)
    }

    @Test func exportRoundTripsThroughImport() throws {
        let (_, ledger) = try freshLedger()
        _ = try importText(Self.jsonl, into: ledger)
        try ledger.markState(.gone, threadIDs: ["thread_b"])
        var lines: [String] = []
        #expect(try ledger.export(states: [.live], format: .jsonl) { lines.append($0) } == 2)
        #expect(
            lines == [
                #"{"id":"thread_a","object":"thread","created_at":100,"metadata":{"tag":"support"}}"#,
                #"{"id":"thread_f","object":"thread","created_at":400,"metadata":{"tag":"séles \"q\""}}"#,
            ])
        var csv: [String] = []
        try ledger.export(format: .csv) { csv.append($0) }
        #expect(csv.first == Ledger.csvExportHeader)
        #expect(csv[2] == "thread_b,200,{},gone,import,5000,,,thread")
        #expect(csv[3] == #"thread_f,400,"{""tag"":""séles \""q\""""}",live,import,5000,,,thread"#)
        let (_, copy) = try freshLedger(name: "copy.sqlite3")
        let result = try importText(csv.joined(separator: "\n"), into: copy)
        #expect(result.bad.isEmpty)
        #expect(result.counts.imported == 3)
        #expect(try copy.thread(id: "thread_f")?.metadata == ["tag": "séles \"q\""])
    }
}
