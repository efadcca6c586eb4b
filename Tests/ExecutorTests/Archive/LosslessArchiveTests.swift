import Emulator
import Foundation
import JSON
import Ledger
import TestSupport
import Testing
import ThreadsAPI

@testable import Executor

/// The archive taken before a delete holds the API's answers byte for byte.
struct LosslessArchiveTests {
    /// Messages as an assistant's runs leave them: every field a client's models may not know.
    static func fullMessages(count: Int, from start: Int64) -> [StoredMessage] {
        (0..<count).map { index in
            let time = start + Int64(index) * 60
            let id = "msg_" + String(format: "%024d", index)
            switch index % 4 {
            case 0:
                return StoredMessage(
                    id: id, createdAt: time, role: "user",
                    content: [
                        .text("see the attached report \(index)"),
                        .other(
                            .object([
                                ("type", .string("image_file")),
                                ("image_file", .object([("file_id", .string("file-img\(index)")), ("detail", .string("high"))])),
                            ])),
                        .other(
                            .object([
                                ("type", .string("image_url")),
                                (
                                    "image_url",
                                    .object([("url", .string("https://example.com/\(index).png")), ("detail", .string("auto"))])
                                ),
                            ])),
                    ],
                    attachments: .array([
                        .object([
                            ("file_id", .string("file-doc\(index)")), ("tools", .array([.object([("type", .string("file_search"))])])),
                        ])
                    ]))
            case 1:
                let citation = JSONValue.object([
                    ("type", .string("file_citation")), ("text", .string("【4:0†source】")), ("start_index", .integer(3)),
                    ("end_index", .integer(13)), ("file_citation", .object([("file_id", .string("file-doc\(index - 1)"))])),
                ])
                return StoredMessage(
                    id: id, createdAt: time, role: "assistant", content: [.text("per the report, 42", annotations: [citation])],
                    assistantID: "asst_abc", runID: "run_\(index)")
            case 2:
                return StoredMessage(
                    id: id, createdAt: time, role: "assistant",
                    content: [.other(.object([("type", .string("refusal")), ("refusal", .string("I can't help with that."))]))],
                    status: "incomplete", incompleteDetails: .object([("reason", .string("content_filter"))]), incompleteAt: time + 5,
                    assistantID: "asst_abc", runID: "run_\(index)")
            default:
                return StoredMessage(
                    id: id, createdAt: time, role: "user", content: [.text("plain \(index), 1.50 €")],
                    metadata: [("source", "web")],
                    additionalFields: [
                        (
                            "future_field",
                            .object([
                                ("nested", .array([.integer(1), .number(2.5), .bool(true), .null])),
                                ("big", .integer(9_007_199_254_740_993)),
                            ])
                        )
                    ])
            }
        }
    }

    @Test func theArchiveHoldsTheThreadAndEveryPageAsTheAPIReturnedThem() async throws {
        let harness = try await ExecutorHarness()
        let created = ExecutorHarness.now - 60 * ExecutorHarness.day
        let messages = Self.fullMessages(count: 150, from: created)
        let id = await harness.server.insertThread(createdAt: created, metadata: ["tag": "support"], messages: messages)
        try harness.ledger.save(ThreadRecord(id: id, createdAt: created, metadata: ["tag": "support"], firstSeen: created))

        // What the emulator serves for the calls the archive makes, before the thread is gone.
        let client = try harness.client()
        let threadBody = try await client.retrieveThread(id).body
        let first = try await client.listMessages(threadID: id, limit: 100, order: .ascending)
        let second = try await client.listMessages(threadID: id, limit: 100, order: .ascending, after: first.value.lastID)
        #expect(first.value.hasMore && !second.value.hasMore)
        #expect(first.value.data.count + second.value.data.count == 150)

        let rule = try harness.rule("keep", ArchiveAndPlanTests.archiveRule)
        let report = try await harness.executor().run(RunRequest(rule: rule))
        #expect(report.counts.done == 1)
        #expect(report.archived == 1)
        #expect(await !harness.server.threadIsLive(id))

        let document = try ArchiveStore(directory: harness.archiveDirectory).read(threadID: id)
        // Byte for byte: each answer stands in the document exactly as received.
        #expect(Self.contains(document, Array("\"thread\":".utf8) + Array(threadBody)))
        #expect(
            Self.contains(
                document,
                Array("\"message_pages\":[\n".utf8) + Array(first.body) + Array(",\n".utf8) + Array(second.body) + Array("]}".utf8)))

        // As JSON: the same values the emulator served, every field included.
        let object = try #require(try JSONSerialization.jsonObject(with: Data(document)) as? NSDictionary)
        #expect(object["format"] as? Int == 2)
        #expect(object["rule"] as? String == "keep")
        #expect((object["run"] as? Int).map(Int64.init) == report.runID)
        #expect(object["thread"] as? NSDictionary == (try JSONSerialization.jsonObject(with: threadBody) as? NSDictionary))
        let pages = try #require(object["message_pages"] as? [NSDictionary])
        #expect(pages.count == 2)
        #expect(pages[0] == (try JSONSerialization.jsonObject(with: first.body) as? NSDictionary))
        #expect(pages[1] == (try JSONSerialization.jsonObject(with: second.body) as? NSDictionary))
        let archived = pages.flatMap { ($0["data"] as? [NSDictionary]) ?? [] }
        #expect(archived.count == 150)
        let text = String(decoding: document, as: UTF8.self)
        for needle in [
            "\"file_id\":\"file-img0\"", "\"url\":\"https://example.com/0.png\"", "\"tools\":[{\"type\":\"file_search\"}]",
            "\"annotations\":[{\"type\":\"file_citation\"", "\"refusal\":\"I can't help with that.\"",
            "\"incomplete_details\":{\"reason\":\"content_filter\"}", "\"status\":\"incomplete\"", "\"assistant_id\":\"asst_abc\"",
            "\"future_field\":{\"nested\":[1,2.5,true,null],\"big\":9007199254740993}",
        ] {
            #expect(text.contains(needle), "\(needle)")
        }

        // The typed view still reads it, for transcripts.
        let view = try ThreadArchive.decode(document)
        #expect(view.format == 2)
        #expect(view.thread.id == id && view.thread.metadata == ["tag": "support"])
        #expect(view.messages.map(\.id) == messages.map(\.id))
        #expect(view.messages[3].text == "plain 3, 1.50 €")
        #expect(view.messages[0].content.map(\.reference) == [nil, "file-img0", "https://example.com/0.png"])
        #expect(view.messages[2].content.map(\.reference) == ["I can't help with that."])
        await harness.stop()
    }

    /// An archive of format 1 (models re-encoded, as written before format 2) still reads.
    @Test func aFormatOneArchiveStillReads() throws {
        let directory = TemporaryDirectory()
        let store = ArchiveStore(directory: directory.file("archive"))
        try store.write(threadID: "thread_old", document: Array(Self.formatOne.utf8))
        let view = try ThreadArchive.decode(try store.read(threadID: "thread_old"))
        #expect(view.format == 1)
        #expect(view.thread.id == "thread_old" && view.thread.metadata == ["tag": "support"])
        #expect(view.messages.map(\.text) == ["hello", "hi there"])
        #expect(view.rule == "keep" && view.run == 3 && view.archivedAt == 1_700_000_000)
    }

    /// What format 1 looked like: `JSONEncoder` with sorted keys over the models.
    static let formatOne = #"""
        {"archived_at":1700000000,"format":1,"messages":[{"content":[{"text":{"annotations":[],"value":"hello"},"type":"text"}],\#
        "created_at":1690000000,"id":"msg_a","metadata":{},"object":"thread.message","role":"user","thread_id":"thread_old"},\#
        {"assistant_id":"asst_1","content":[{"text":{"annotations":[],"value":"hi there"},"type":"text"}],"created_at":1690000060,\#
        "id":"msg_b","metadata":{},"object":"thread.message","role":"assistant","thread_id":"thread_old"}],"rule":"keep","run":3,\#
        "thread":{"created_at":1690000000,"id":"thread_old","metadata":{"tag":"support"},"object":"thread"}}
        """#

    @Test func aDocumentNewerThanThisVersionOrNotAnArchiveIsDamaged() {
        #expect(throws: ArchiveError.self) {
            try ThreadArchive.decode(Array(Self.formatOne.replacingOccurrences(of: "\"format\":1", with: "\"format\":3").utf8))
        }
        #expect(throws: ArchiveError.self) { try ThreadArchive.decode(Array("[1,2]".utf8)) }
    }

    /// An answer that cannot stand verbatim in the document is refused, never altered.
    @Test(arguments: [Data("[1]".utf8), Data("not json".utf8), Data([0x7B, 0xFF, 0x7D]), Data("\u{FEFF}{}".utf8), Data()])
    func answersThatAreNotOneUTF8ObjectAreRefused(body: Data) {
        #expect(throws: ArchiveError.self) {
            try ThreadArchive.document(archivedAt: 1, rule: "keep", run: 1, thread: body, pages: [])
        }
        #expect(throws: ArchiveError.self) {
            try ThreadArchive.document(archivedAt: 1, rule: "keep", run: 1, thread: Data("{}".utf8), pages: [Data("{}".utf8), body])
        }
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, needle.count <= haystack.count else { return needle.isEmpty }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if haystack[start..<start + needle.count].elementsEqual(needle) { return true }
        }
        return false
    }
}
