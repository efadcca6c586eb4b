import Foundation
import TestSupport
import Testing

@testable import ThreadsAPI

/// The helper process's life as `HelperTransport` runs it: started on demand, ended when idle
/// and reaped, replaced when it dies, deaf to the stop signals a process group receives, and
/// refused when it is missing or speaks something else.
@Suite struct HelperTransportTests {
    static let ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"

    /// Whether a process is gone and reaped (a zombie still has its /proc entry).
    static func isReaped(_ pid: pid_t) -> Bool { !FileManager.default.fileExists(atPath: "/proc/\(pid)") }

    static func waitUntil(_ condition: () -> Bool) async throws {
        for _ in 0..<1200 where !condition() { try await Task.sleep(for: .milliseconds(25)) }
    }

    /// A request the peer holds until `release()`, sent through a helper of its own; `arrived`
    /// once the peer has it (so the helper is past its start and the request is in flight,
    /// however slow the machine).
    final class HeldRequest: Sendable {
        let peer: URLSessionTransportTests.Peer
        let transport = HelperTransport()
        let directory = TemporaryDirectory()
        let task: Task<HTTPResponse, any Error>

        init() throws {
            let peer = try URLSessionTransportTests.Peer()
            let (transport, directory) = (self.transport, self.directory)
            self.peer = peer
            task = Task {
                try await transport.send(HTTPRequest(method: "GET", url: peer.url("/wait?" + directory.path), timeout: 30))
            }
        }

        deinit { release() }

        var arrived: Bool { FileManager.default.fileExists(atPath: directory.file("arrived")) }

        func release() { _ = FileManager.default.createFile(atPath: directory.file("release"), contents: nil) }

        /// The helper's process ID once the peer has the request.
        func helperOnceArrived() async throws -> pid_t {
            try await HelperTransportTests.waitUntil { arrived }
            return try #require(transport.helperProcessID)
        }

        /// Another request through the same transport, answered at once.
        func another() async throws -> Int {
            try await transport.send(HTTPRequest(method: "GET", url: peer.url("/ok"))).status
        }
    }

    @Test func theHelperIsFoundBesideTheBuiltBinary() throws {
        #expect(try HelperTransport.locate().get() == BuiltProducts.directory + "/threadkeeper-http")
    }

    @Test func theHelperEndsWhenIdleIsReapedAndStartsAgainOnTheNextRequest() async throws {
        let server = try CannedServer(head: Self.ok)
        defer { server.stop() }
        let transport = HelperTransport(idleTimeout: 0.3)
        let url = URL(string: "http://127.0.0.1:\(server.port)/threads/thread_a")!
        #expect(try await transport.send(HTTPRequest(method: "GET", url: url)).status == 200)
        let first = try #require(transport.helperProcessID)
        try await Self.waitUntil { Self.isReaped(first) }
        #expect(Self.isReaped(first))
        #expect(transport.helperProcessID == nil)
        #expect(try await transport.send(HTTPRequest(method: "GET", url: url)).status == 200)
        #expect(transport.helpersStarted == 2)
        #expect(server.connections == 2)
    }

    @Test(.enabled(if: URLSessionTransportTests.hasPython, "needs python3 for the slow peer"))
    func aHelperKilledMidRequestFailsItAsAResetAndTheNextRequestStartsAnother() async throws {
        let held = try HeldRequest()
        let pid = try await held.helperOnceArrived()
        kill(pid, SIGKILL)
        await #expect {
            _ = try await held.task.value
        } throws: { error in
            let error = error as? TransportError
            return error?.failure == .connectionReset && error?.detail.contains("threadkeeper-http ended") == true
        }
        try await Self.waitUntil { Self.isReaped(pid) }
        #expect(Self.isReaped(pid))
        #expect(try await held.another() == 200)
        #expect(held.transport.helpersStarted == 2)
    }

    /// A Ctrl-C or systemd's stop reaches the whole group: the request in flight is still answered.
    @Test(.enabled(if: URLSessionTransportTests.hasPython, "needs python3 for the slow peer"))
    func theHelperIgnoresTheStopSignalsAndAnswersWhatIsInFlight() async throws {
        let held = try HeldRequest()
        let pid = try await held.helperOnceArrived()
        for signal in [SIGTERM, SIGINT, SIGHUP] { kill(pid, signal) }
        // Time for a signal that was not ignored to end the helper before the answer is let go.
        try await Task.sleep(for: .milliseconds(200))
        held.release()
        #expect(try await held.task.value.status == 200)
        #expect(held.transport.helperProcessID == pid)
    }

    @Test(.enabled(if: URLSessionTransportTests.hasPython, "needs python3 for the slow peer"))
    func aCancelledRequestIsStoppedAtTheHelper() async throws {
        let held = try HeldRequest()
        _ = try await held.helperOnceArrived()
        held.task.cancel()
        let result = await held.task.result
        #expect(throws: TransportError(.other, "cancelled")) { try result.get() }
        // The helper lives on for the next request.
        #expect(try await held.another() == 200)
        #expect(held.transport.helpersStarted == 1)
    }

    @Test func aMissingHelperIsRefusedNamingWhereItWasLookedFor() async throws {
        let transport = HelperTransport(executable: "/nonexistent/threadkeeper-http")
        await #expect {
            _ = try await transport.send(HTTPRequest(method: "GET", url: URL(string: "http://127.0.0.1:9/")!))
        } throws: { error in
            let error = error as? TransportError
            return error?.failure == .other
                && error?.detail == "cannot start the HTTP helper /nonexistent/threadkeeper-http: No such file or directory"
        }
    }

    /// A program that is not the helper: what it writes is refused, it is killed and reaped.
    @Test func aHelperThatWritesSomethingElseIsRefusedAndKilled() async throws {
        let directory = TemporaryDirectory()
        let script = try directory.write("not-the-helper", "#!/bin/sh\nprintf 'HTTP/1.1 200 OK\\r\\n\\r\\n'\nexec sleep 60\n")
        chmod(script, 0o755)
        let transport = HelperTransport(executable: script)
        await #expect {
            _ = try await transport.send(HTTPRequest(method: "GET", url: URL(string: "http://127.0.0.1:9/")!))
        } throws: { error in
            let error = error as? TransportError
            return error?.failure == .other && error?.detail.hasPrefix("the HTTP helper's answer cannot be read: a frame of") == true
        }
        #expect(transport.helperProcessID == nil)
        #expect(transport.helpersStarted == 1)
    }

    @Test func aHelperThatExitsAtOnceIsAReset() async throws {
        let transport = HelperTransport(executable: "/bin/true")
        await #expect {
            _ = try await transport.send(HTTPRequest(method: "GET", url: URL(string: "http://127.0.0.1:9/")!))
        } throws: { ($0 as? TransportError)?.failure == .connectionReset }
    }
}
