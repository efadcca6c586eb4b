import Foundation
import JSON
import TestSupport
import Testing

@testable import Emulator

/// `--state`: threads, messages, deletions and counters survive a restart.
struct StateFileTests {
    @Test func restartContinuesTheEarlierRun() async throws {
        let directory = TemporaryDirectory()
        let path = directory.file("emulator.sqlite3")
        let first = try await EmulatorServer.start(EmulatorOptions(seedCount: 30, seedRandom: 4, stateFile: path))
        let client = try RawHTTPClient(port: first.port)
        let created = try JSONParser.parse(
            try client.request(
                "POST", "/threads",
                body:
                    #"{"messages":[{"role":"user","content":"keep me"}],"metadata":{"tag":"x"},"tool_resources":{"code_interpreter":{"file_ids":["f1"]}}}"#
            ).body)
        let id = try #require(created.string("id"))
        let seeded = try #require(await first.liveThreadIDs().first { $0 != id })
        #expect(try client.request("DELETE", "/threads/\(seeded)").status == 200)
        #expect(try client.request("DELETE", "/threads/\(seeded)").status == 404)
        let seededMessages = try client.request("GET", "/threads/\(try #require(await first.liveThreadIDs().first { $0 != id }))/messages")
        #expect(seededMessages.status == 200)
        let before = await first.stats()
        let liveBefore = await first.liveThreadIDs()
        await first.stop()
        try await first.saveState()

        // A different seed would make different threads: the state file wins.
        let second = try await EmulatorServer.start(EmulatorOptions(seedCount: 30, seedRandom: 99, stateFile: path))
        #expect(await second.liveThreadIDs() == liveBefore)
        let after = await second.stats()
        #expect(after.liveThreads == 30)
        #expect(after.deletedThreads == 1)
        #expect(after.repeatedDeletes == 1)
        #expect(after.totalRequests == before.totalRequests)
        #expect(after.requestsByStatus == before.requestsByStatus)
        let again = try RawHTTPClient(port: second.port)
        let retrieved = try again.request("GET", "/threads/\(id)")
        #expect(try JSONParser.parse(retrieved.body) == created)
        let messages = try JSONParser.parse(try again.request("GET", "/threads/\(id)/messages").body)
        #expect(messages["data"].map { if case .array(let items) = $0 { items.count } else { 0 } } == 1)
        #expect(try again.request("GET", "/threads/\(seeded)").status == 404)
        #expect(try again.request("DELETE", "/threads/\(seeded)").status == 404)
        #expect(await second.stats().repeatedDeletes == 2)
        await second.stop()
    }

    /// Messages carry the whole object (status fields, annotations, attachments, image files,
    /// fields a later API may add), and a restart serves them byte for byte as before.
    @Test func wholeMessagesSurviveARestartByteForByte() async throws {
        let directory = TemporaryDirectory()
        let path = directory.file("emulator.sqlite3")
        let first = try await EmulatorServer.start(EmulatorOptions(stateFile: path))
        let citation = JSONValue.object([
            ("type", .string("file_citation")), ("text", .string("[1]")), ("start_index", .integer(0)), ("end_index", .integer(3)),
            ("file_citation", .object([("file_id", .string("file-a"))])),
        ])
        let messages = [
            StoredMessage(
                id: "msg_a", createdAt: 100, role: "user",
                content: [
                    .text("look"),
                    .other(.object([("type", .string("image_file")), ("image_file", .object([("file_id", .string("file-i"))]))])),
                ],
                attachments: .array([
                    .object([("file_id", .string("file-a")), ("tools", .array([.object([("type", .string("file_search"))])]))])
                ])),
            StoredMessage(
                id: "msg_b", createdAt: 160, role: "assistant", content: [.text("[1] says so", annotations: [citation])],
                status: "incomplete", incompleteDetails: .object([("reason", .string("max_tokens"))]), incompleteAt: 170,
                assistantID: "asst_x", runID: "run_x", additionalFields: [("later", .object([("n", .number(1.5))]))]),
        ]
        let id = await first.insertThread(createdAt: 50, messages: messages)
        let client = try RawHTTPClient(port: first.port)
        let before = try client.request("GET", "/threads/\(id)/messages?order=asc")
        #expect(before.status == 200)
        let page = try JSONParser.parse(before.body)
        guard case .array(let data)? = page["data"], data.count == 2 else {
            Issue.record("expected two messages, got \(String(decoding: before.body, as: UTF8.self))")
            return
        }
        #expect(data[0]["status"] == .string("completed"))
        #expect(data[0]["completed_at"] == .integer(100))
        #expect(data[0]["incomplete_at"] == .null)
        #expect(data[0]["incomplete_details"] == .null)
        #expect(data[0]["attachments"] == messages[0].attachments)
        #expect(data[1]["status"] == .string("incomplete"))
        #expect(data[1]["completed_at"] == .null)
        #expect(data[1]["incomplete_at"] == .integer(170))
        #expect(data[1]["incomplete_details"] == .object([("reason", .string("max_tokens"))]))
        #expect(data[1]["assistant_id"] == .string("asst_x"))
        #expect(data[1]["later"] == .object([("n", .number(1.5))]))
        let part = JSONValue.object([
            ("type", .string("text")), ("text", .object([("value", .string("[1] says so")), ("annotations", .array([citation]))])),
        ])
        #expect(data[1]["content"] == .array([part]))
        await first.stop()
        try await first.saveState()

        let second = try await EmulatorServer.start(EmulatorOptions(stateFile: path))
        let after = try RawHTTPClient(port: second.port).request("GET", "/threads/\(id)/messages?order=asc")
        #expect(after.body == before.body)
        await second.stop()
    }

    @Test func aFileThatIsNotSQLiteIsRefused() async throws {
        let directory = TemporaryDirectory()
        let path = try directory.write("state.sqlite3", String(repeating: "not a database ", count: 100))
        await #expect(throws: EmulatorError.self) { try await EmulatorServer.start(EmulatorOptions(stateFile: path)) }
    }

    /// The emulator's own words about its `--state` file: SQLite's reason and what to do with
    /// `--state`, never the ledger's advice about `--ledger`.
    @Test func aStateFileErrorNamesTheFileAndAdvisesAboutState() throws {
        let directory = TemporaryDirectory()
        let path = try directory.write("state.sqlite3", String(repeating: "not a database ", count: 100))
        let error = try #require(throws: EmulatorError.self) { try StateFile.load(from: path, seed: 1) }
        #expect(
            error.description
                == "state file '\(path)': file is not a database; pass --state a file the emulator wrote, "
                + "or a path that does not exist yet")
        #expect(!error.description.contains("--ledger"))
    }
}
