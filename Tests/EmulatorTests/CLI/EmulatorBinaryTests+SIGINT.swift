import Foundation
import JSON
import TestSupport
import Testing

@testable import Emulator

extension EmulatorBinaryTests {
    /// SIGINT (Ctrl-C in a terminal) stops the emulator as SIGTERM does: sockets closed, state saved, exit 0.
    @Test func sigintStopsItCleanlyAndSavesTheStateFile() throws {
        let directory = TemporaryDirectory()
        let state = directory.file("state.sqlite3")
        let (process, port) = try Self.startOnAnnouncedPort("--state", state, portFile: directory.file("port"))
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        let client = try RawHTTPClient(port: try #require(port))
        let created = try JSONParser.parse(try client.request("POST", "/threads", body: #"{"metadata":{"by":"sigint"}}"#).body)
        let id = try #require(created.string("id"))
        kill(process.processIdentifier, SIGINT)
        for _ in 0..<1500 where process.isRunning { usleep(10_000) }
        #expect(!process.isRunning, "the emulator did not stop within 15 s of SIGINT")
        process.waitUntilExit()
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 0)
        #expect(try client.receive() == .closed)
        let (store, _) = try #require(try StateFile.load(from: state, seed: 1))
        #expect(store.thread(id)?.metadata.first?.1 == "sigint")
    }
}
