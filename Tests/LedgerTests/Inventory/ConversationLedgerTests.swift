import SQLite
import TestSupport
import Testing

@testable import Ledger

/// Conversations in the ledger: the kind of each row, its migration, import, export and chain.
struct ConversationLedgerTests {
    let directory = TemporaryDirectory()

    @Test func aVersion4LedgerMigratesWithItsRowsAsThreadsAndItsChainIntact() throws {
        let path = directory.file("ledger.sqlite3")
        do {
            // A ledger as schema 4 wrote it: a thread, a run and an intent, chained as 4 chained them.
            let database = try SQLiteDatabase(path: path)
            for migration in Migrations.all.prefix(4) { try database.execute(migration.sql) }
            try database.execute(
                """
                PRAGMA user_version = 4;
                INSERT INTO threads (id, created_at, metadata, source, first_seen) VALUES ('thread_old', 1, '{"tag":"x"}', 'import', 1);
                INSERT INTO runs (id, rule, rule_digest, rule_text, trigger, started_at) VALUES (1, 'r', 'd', 't', 'manual', 50);
                INSERT INTO actions (id, run_id, thread_id, action, reason, intent_at, prev_hash, hash)
                    VALUES (1, 1, 'thread_old', 'delete', 'why', 60, '\(ActionChain.genesis)', 'h');
                """)
            var chain = try ChainAppender(database)
            let run = try #require(try database.rows("SELECT \(Ledger.runColumns) FROM runs").map(Ledger.runRecord).first)
            try chain.appendRun(run, database)
            let statement = try database.prepare("SELECT \(Ledger.actionColumnsBeforeObjects) FROM actions")
            try statement.bind([])
            #expect(try statement.step())
            try chain.appendIntent(Ledger.actionRecord(statement, hasObject: false), database)
        }
        let ledger = try Ledger(path: path, now: { 200 })
        #expect(try ledger.schemaVersionOfFile() == 5)
        #expect(try ledger.thread(id: "thread_old")?.object == .thread)
        // Old actions have no kind, read as threads, and keep the chain line they were written with.
        let action = try #require(try ledger.actions(runID: 1).first)
        #expect(action.object == nil)
        #expect(action.kind == .thread)
        let verification = try ledger.verifyAudit()
        #expect(verification.firstBroken == nil)
        #expect(verification.head.rows == 2)
        // New rows carry their kind.
        try ledger.save(ThreadRecord(id: "conv_new", createdAt: 2, firstSeen: 2, object: .conversation))
        let ids = try ledger.recordIntents(
            runID: 1, [ActionIntent(threadID: "conv_new", action: "delete", reason: "why", object: .conversation)])
        #expect(try ledger.actions(runID: 1).last?.object == .conversation)
        #expect(ids.count == 1)
        #expect(try ledger.verifyAudit().firstBroken == nil)
        #expect(try ledger.integrityCheck() == "ok")
    }

    @Test func actionsBeforeSchema5KeepTheirChainLineAndNewOnesCoverTheKind() throws {
        let ledger = try Ledger(path: directory.file("ledger.sqlite3"), now: { 100 })
        let run = try ledger.beginRun(RunsTests.start, matched: 2)
        let ids = try ledger.recordIntents(
            runID: run,
            [
                ActionIntent(threadID: "thread_a", action: "delete", reason: "r"),
                ActionIntent(threadID: "conv_b", action: "delete", reason: "r", object: .conversation),
            ])
        try ledger.settle(ids.map { ActionSettlement(actionID: $0, outcome: .ok, httpStatus: 200) })
        try ledger.finishRun(id: run, status: .completed)
        let actions = try ledger.actions(runID: run)
        #expect(actions.map(\.object) == [.thread, .conversation])
        #expect(try ledger.verifyAudit().isIntact)
        // The line of an intent with a kind has it as a sixth field, hex as every text field.
        let intent = try ledger.rows("SELECT seq, prev_hash, hash FROM chain WHERE kind = 'intent' AND ref = \(ids[1])")[0]
        let expected = AuditChain.hash(
            prevHash: intent[1].textValue ?? "", seq: intent[0].integerValue ?? 0, kind: .intent, ref: ids[1],
            fields: [.integer(run), .text("conv_b"), .text("delete"), .text("r"), .integer(100), .text("conversation")])
        #expect(intent[2].textValue == expected)
        // Turning the conversation's deletion into a thread's breaks that row.
        try ledger.execute("DROP TRIGGER actions_settled_is_final; DROP TRIGGER actions_intent_is_final")
        try ledger.execute("UPDATE actions SET object = 'thread' WHERE id = \(ids[1])")
        let broken = try ledger.verifyAudit()
        #expect(!broken.isIntact)
        #expect(broken.firstBroken?.seq == intent[0].integerValue)
        // Clearing the kind (as if written before schema 5) breaks it too.
        try ledger.execute("UPDATE actions SET object = NULL WHERE id = \(ids[1])")
        #expect(try ledger.verifyAudit().firstBroken?.seq == intent[0].integerValue)
    }

    @Test func eachRowKnowsItsKindAndQueriesSelectOne() throws {
        let ledger = try Ledger(path: directory.file("ledger.sqlite3"), now: { 100 })
        try ledger.save(ThreadRecord(id: "thread_a", createdAt: 1, firstSeen: 1))
        try ledger.save(ThreadRecord(id: "conv_b", createdAt: 2, metadata: ["tag": "x"], firstSeen: 1, object: .conversation))
        try ledger.save(ThreadRecord(id: "conv_c", createdAt: 3, firstSeen: 1, object: .conversation))
        #expect(try ledger.thread(id: "conv_b")?.object == .conversation)
        #expect(try ledger.thread(id: "thread_a")?.object == .thread)
        #expect(try ledger.count(matching: .object(.conversation)) == 2)
        #expect(try ledger.count(matching: .object(.thread)) == 1)
        let metrics = try ledger.metrics()
        #expect(metrics.rowsByObject == [.thread: [.live: 1], .conversation: [.live: 2]])
        #expect(metrics.threadsByState == [.live: 3])
        #expect(try ledger.status().byObject == [.thread: 1, .conversation: 2])
        var seen: [String] = []
        try ledger.forEachThread(matching: .object(.conversation).and(.metadata("tag", glob: "x"))) { seen.append($0.id) }
        #expect(seen == ["conv_b"])
        let refused = #expect(throws: LedgerError.self) {
            try ledger.execute("UPDATE threads SET object = 'assistant' WHERE id = 'thread_a'")
        }
        #expect(refused?.description.contains("CHECK") == true)
    }

    @Test func importReadsTheKindFromObjectColumnOrPrefix() throws {
        let ledger = try Ledger(path: directory.file("ledger.sqlite3"), now: { 5_000 })
        let jsonl = """
            {"id":"conv_a","object":"conversation","created_at":100,"metadata":{"tag":"support"}}
            {"id":"conv_b","created_at":200}
            {"id":"thread_c","object":"thread","created_at":300}
            {"id":"conv_d","object":"thread","created_at":300}
            {"id":"x_e","object":"conversation","created_at":400,"metadata":{"a":"\\u00e9"}}
            {"id":"x_f","object":"conversation.deleted","deleted":true}
            """
        let result = try importText(jsonl, into: ledger)
        #expect(result.counts.imported == 4)
        #expect(
            result.bad == [
                "4: object is 'thread' but the id 'conv_d' is a conversation's; fix the object or the id",
                "6: object is 'conversation.deleted', not 'thread' or 'conversation'",
            ])
        #expect(try ledger.thread(id: "conv_a")?.object == .conversation)
        #expect(try ledger.thread(id: "conv_b")?.object == .conversation)
        #expect(try ledger.thread(id: "thread_c")?.object == .thread)
        #expect(try ledger.thread(id: "x_e")?.object == .conversation)

        let csv = """
            id,created_at,kind
            conv_g,1,
            h_1,2,conversation
            thread_i,3,thread
            thread_j,4,conversation
            k_1,5,message
            """
        let fromCSV = try importText(csv, into: ledger)
        #expect(fromCSV.counts.imported == 3)
        #expect(
            fromCSV.bad == [
                "5: object is 'conversation' but the id 'thread_j' is a thread's; fix the object or the id",
                "6: object is 'message', not 'thread' or 'conversation'",
            ])
        #expect(try ledger.thread(id: "conv_g")?.object == .conversation)
        #expect(try ledger.thread(id: "h_1")?.object == .conversation)
        #expect(try ledger.thread(id: "thread_i")?.object == .thread)

        let ids = try importText("conv_l\nthread_m\nplain_n\n", into: ledger)
        #expect(ids.format == .ids)
        #expect(try ledger.thread(id: "conv_l")?.object == .conversation)
        #expect(try ledger.thread(id: "thread_m")?.object == .thread)
        #expect(try ledger.thread(id: "plain_n")?.object == .thread)
    }

    @Test func exportWritesTheKindBackAndImportReadsItAgain() throws {
        let ledger = try Ledger(path: directory.file("ledger.sqlite3"), now: { 5_000 })
        _ = try importText(
            """
            {"id":"x_a","object":"conversation","created_at":100,"metadata":{"tag":"s"}}
            {"id":"thread_b","object":"thread","created_at":200}
            """, into: ledger)
        var lines: [String] = []
        try ledger.export(format: .jsonl) { lines.append($0) }
        #expect(
            lines == [
                #"{"id":"x_a","object":"conversation","created_at":100,"metadata":{"tag":"s"}}"#,
                #"{"id":"thread_b","object":"thread","created_at":200,"metadata":{}}"#,
            ])
        var csv: [String] = []
        try ledger.export(format: .csv) { csv.append($0) }
        #expect(
            csv == [
                Ledger.csvExportHeader, #"x_a,100,"{""tag"":""s""}",live,import,5000,,,conversation"#,
                "thread_b,200,{},live,import,5000,,,thread",
            ])
        for text in [lines.joined(separator: "\n"), csv.joined(separator: "\n")] {
            let copy = try Ledger(path: directory.file("copy-\(text.count).sqlite3"), now: { 5_000 })
            #expect(try importText(text, into: copy).bad.isEmpty)
            #expect(try copy.thread(id: "x_a")?.object == .conversation)
            #expect(try copy.thread(id: "thread_b")?.object == .thread)
        }
    }
}
