import Foundation
import JSON
import TestSupport
import Testing

@testable import Emulator

/// The built `threadkeeper-emulator` binary, run the way a user or script runs it.
struct EmulatorBinaryTests {
    @Test func helpDocumentsEveryFlagAndExitCodes() throws {
        let result = try ProcessRunner.run(BuiltProducts.emulator, ["--help"])
        #expect(result.status == 0)
        #expect(result.standardOutput.hasPrefix("OVERVIEW: "))
        for flag in [
            "--host", "--port", "--port-file", "--seed", "--seed-age", "--seed-random", "--seed-file", "--export", "--rps",
            "--burst", "--latency", "--fail-rate", "--reset-rate", "--api-key-file", "--state",
        ] {
            #expect(result.standardOutput.contains("  \(flag) "), "help documents \(flag)")
        }
        #expect(result.standardOutput.contains("EXIT CODES:"))
    }

    @Test(arguments: [
        ["--bogus"], ["--port", "abc"], ["--port", "70000"], ["--fail-rate", "2"], ["--seed-age", "forever"],
        ["--burst", "3"], ["--rps", "-1"], ["extra"], ["--api-key", "sk-on-the-command-line"],
    ])
    func badUsageExits64(arguments: [String]) throws {
        let result = try ProcessRunner.run(BuiltProducts.emulator, arguments)
        #expect(result.status == 64)
        #expect(result.standardError.hasPrefix("threadkeeper-emulator: "))
        #expect(result.standardOutput.isEmpty)
    }

    @Test func missingSeedFileExits66() throws {
        let result = try ProcessRunner.run(BuiltProducts.emulator, ["--seed-file", "/nonexistent/threads.jsonl"])
        #expect(result.status == 66)
        #expect(result.standardError.contains("'/nonexistent/threads.jsonl'"))
    }

    @Test func servesOnTheAnnouncedPortAndStopsOnSIGTERM() throws {
        let directory = TemporaryDirectory()
        let portFile = directory.file("port")
        let export = directory.file("threads.jsonl")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: BuiltProducts.emulator)
        process.arguments = ["--port", "0", "--port-file", portFile, "--seed", "20", "--seed-random", "5", "--export", export]
        var environment = ProcessInfo.processInfo.environment
        environment["THREADKEEPER_EMULATOR_API_KEY"] = "sk-from-environment"
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        var port: Int?
        for _ in 0..<300 {
            if let text = try? String(contentsOfFile: portFile, encoding: .utf8),
                let value = Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
            {
                port = value
                break
            }
            usleep(20_000)
        }
        let chosen = try #require(port)
        // The export is complete before the port is announced.
        #expect(try String(contentsOfFile: export, encoding: .utf8).split(separator: "\n").count == 20)
        let client = try RawHTTPClient(port: chosen)
        let response = try client.request("GET", "/_emulator/stats")
        #expect(response.status == 200)
        #expect(try JSONParser.parse(response.body)["threads"]?["live"] == .integer(20))
        #expect(try client.request("POST", "/threads", body: "{}").status == 401)
        let authorized = [("Authorization", "Bearer sk-from-environment")]
        #expect(try client.request("POST", "/threads", body: "{}", headers: authorized).status == 200)
        kill(process.processIdentifier, SIGTERM)
        // Bounded wait: a lost signal fails the test instead of hanging the suite.
        for _ in 0..<1500 where process.isRunning { usleep(10_000) }
        #expect(!process.isRunning, "the emulator did not stop within 15 s of SIGTERM")
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(printed == "listening on http://127.0.0.1:\(chosen)\n")
        #expect(try client.receive() == .closed)
    }

    @Test func theKeyComesFromAFileAndNeverShowsInTheCommandLine() throws {
        let directory = TemporaryDirectory()
        let portFile = directory.file("port")
        let keyFile = try directory.write("key", "sk-from-file-0123456789\n")
        let (process, port) = try Self.startOnAnnouncedPort("--api-key-file", keyFile, portFile: portFile)
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        let client = try RawHTTPClient(port: try #require(port))
        #expect(try client.request("POST", "/threads", body: "{}").status == 401)
        let authorized = [("Authorization", "Bearer sk-from-file-0123456789")]
        #expect(try client.request("POST", "/threads", body: "{}", headers: authorized).status == 200)
        // What ps shows: the argument vector names the file, not the key.
        let commandLine = try Data(contentsOf: URL(fileURLWithPath: "/proc/\(process.processIdentifier)/cmdline"))
        #expect(commandLine.range(of: Data("sk-from-file".utf8)) == nil)
        #expect(commandLine.range(of: Data(keyFile.utf8)) != nil)
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        let missing = try ProcessRunner.run(BuiltProducts.emulator, ["--api-key-file", directory.file("absent")])
        #expect(missing.status == 66)
        #expect(missing.standardError.contains("'\(directory.file("absent"))'"))
    }

    @Test func sigtermSavesTheStateFile() throws {
        let directory = TemporaryDirectory()
        let portFile = directory.file("port")
        let state = directory.file("state.sqlite3")
        let (process, port) = try Self.startOnAnnouncedPort("--state", state, portFile: portFile)
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        let client = try RawHTTPClient(port: try #require(port))
        let created = try JSONParser.parse(try client.request("POST", "/threads", body: #"{"metadata":{"keep":"yes"}}"#).body)
        let id = try #require(created.string("id"))
        kill(process.processIdentifier, SIGTERM)
        for _ in 0..<1500 where process.isRunning { usleep(10_000) }
        #expect(!process.isRunning, "the emulator did not stop within 15 s of SIGTERM")
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let (store, stats) = try #require(try StateFile.load(from: state, seed: 1))
        #expect(store.thread(id)?.metadata.first?.1 == "yes")
        #expect(stats.requestsByMethod["POST"] == 1)
    }

    /// Starts the built emulator with `--port-file portFile` and `arguments`; its port once announced
    /// (nil after 6 s without one). The caller ends the process.
    static func startOnAnnouncedPort(_ arguments: String..., portFile: String) throws -> (Process, Int?) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: BuiltProducts.emulator)
        process.arguments = ["--port-file", portFile] + arguments
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        var port: Int?
        for _ in 0..<300 where port == nil {
            port = (try? String(contentsOfFile: portFile, encoding: .utf8)).flatMap { Int($0.trimmingCharacters(in: .newlines)) }
            if port == nil { usleep(20_000) }
        }
        return (process, port)
    }
}
