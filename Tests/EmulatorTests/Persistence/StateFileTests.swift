import Foundation
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

    @Test func aFileThatIsNotSQLiteIsRefused() async throws {
        let directory = TemporaryDirectory()
        let path = try directory.write("state.sqlite3", String(repeating: "not a database ", count: 100))
        await #expect(throws: EmulatorError.self) { try await EmulatorServer.start(EmulatorOptions(stateFile: path)) }
    }
}
