import Emulator
import Foundation
import TestSupport
import Testing

/// The security review's claims, checked against the built binary (docs/SECURITY.md).
struct SecurityTests {
    static let key = "sk-secret-4f9a1c07e2b84d6a9c3e"

    /// Everything a file or directory holds, gzip archives decompressed.
    func contents(of path: String) throws -> [(String, Data)] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return [] }
        if !isDirectory.boolValue {
            if path.hasSuffix(".gz") {
                let result = try ProcessRunner.run("/bin/gzip", ["-dc", path])
                return [(path, Data(result.standardOutput.utf8))]
            }
            return [(path, try Data(contentsOf: URL(fileURLWithPath: path)))]
        }
        return try FileManager.default.contentsOfDirectory(atPath: path).sorted().flatMap {
            try contents(of: path + "/" + $0)
        }
    }

    @Test func theKeyAppearsNowhereAFullRunWrites() async throws {
        let directory = TemporaryDirectory(prefix: "threadkeeper-security")
        let export = directory.file("seed.jsonl")
        let server = try await EmulatorServer.start(
            EmulatorOptions(seedCount: 60, seedAge: 365 * 86_400, seedRandom: 9, exportFile: export, apiKey: Self.key))
        defer { Task { await server.stop() } }
        let state = directory.file("state")
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        let ledger = state + "/ledger.sqlite3"
        // A proxy that does not exist and libcurl's header printing: loopback must be reached
        // directly, and nothing may print the Authorization header.
        let environment = [
            "THREADKEEPER_API_KEY": Self.key, "PATH": "/usr/bin:/bin", "STATE_DIRECTORY": state,
            "http_proxy": "http://127.0.0.1:9", "ALL_PROXY": "http://127.0.0.1:9", "URLSessionDebugLibcurl": "1",
        ]
        _ = try directory.write(
            "rules/purge.rule", "[Rule]\nAction=delete\n[Match]\nOlderThan=1d\n[Action]\nArchive=yes\nVerify=always\n")
        let config = try directory.write(
            "threadkeeper.conf", "[API]\nProvider=custom\nBaseURL=\(server.baseURL)\nRequestsPerSecond=500\n")
        let common = ["--config", config, "--rules", directory.file("rules"), "--ledger", ledger]
        var outputs: [ProcessResult] = []
        // A wrong key first: the error names the failure, not the key sent.
        var wrong = environment
        wrong["THREADKEEPER_API_KEY"] = Self.key + "-wrong"
        _ = try ProcessRunner.threadkeeper(["import", export] + common, environment: environment)
        let refused = try ProcessRunner.threadkeeper(["run", "purge", "--yes"] + common, environment: wrong)
        #expect(refused.status != 0)
        #expect(!refused.standardError.contains(Self.key + "-wrong"))
        outputs.append(refused)
        for arguments in [
            ["import", export], ["show-config"], ["show-config", "--json"], ["plan", "purge"],
            ["run", "purge", "--yes", "--log-target", "stderr", "--log-format", "json"], ["audit"], ["audit", "--verify"],
            ["export"], ["status"],
        ] {
            let result = try ProcessRunner.threadkeeper(arguments + common, environment: environment)
            outputs.append(result)
        }
        #expect(outputs[5].status == 0, "\(outputs[5].standardError)")
        let written = try contents(of: state)
        #expect(written.contains { $0.0.hasSuffix(".json.gz") }, "the run archived nothing")
        #expect(written.contains { $0.0.hasSuffix("ledger.sqlite3") })
        let needle = Data(Self.key.utf8)
        for (path, data) in written {
            #expect(data.range(of: needle) == nil, "the key is in \(path)")
        }
        for (index, output) in outputs.enumerated() {
            #expect(!output.standardOutput.contains(Self.key), "the key is in the stdout of command \(index)")
            #expect(!output.standardError.contains(Self.key), "the key is in the stderr of command \(index)")
        }
    }

    @Test func theKeyIsNeverAcceptedAsAnArgument() throws {
        for flag in ["--api-key", "--key"] {
            let result = try ProcessRunner.threadkeeper(["run", "purge", flag, Self.key])
            #expect(result.status == 64)
            #expect(!result.standardError.contains(Self.key))
        }
    }

    @Test func sqlMetacharactersInEveryFieldAreDataNotSQL() throws {
        let directory = TemporaryDirectory(prefix: "threadkeeper-security")
        let ledger = directory.file("ledger.sqlite3")
        let nasty = #"x'); DROP TABLE threads; --"#
        let lines = [
            #"{"id":"thread_q1","created_at":1000,"metadata":{"tag":"\#(nasty)","k' OR 1 --":"\" OR 1=1 --"}}"#,
            #"{"id":"thread_q2","created_at":1000,"metadata":{"tag":"plain"}}"#,
        ]
        let file = try directory.write("in.jsonl", lines.joined(separator: "\n") + "\n")
        let imported = try ProcessRunner.threadkeeper(["import", file, "--ledger", ledger])
        #expect(imported.status == 0, "\(imported.standardError)")
        _ = try directory.write(
            "rules/q.rule", "[Rule]\nAction=report\n[Match]\nMetadata=tag=x'); DROP*\nMetadata=k' OR 1 --=*OR 1=1*\n")
        let plan = try ProcessRunner.threadkeeper([
            "plan", "q", "--json", "--rules", directory.file("rules"), "--ledger", ledger,
        ])
        #expect(plan.status == 0, "\(plan.standardError)")
        #expect(plan.standardOutput.contains("thread_q1"))
        #expect(!plan.standardOutput.contains("thread_q2"))
        let exported = try ProcessRunner.threadkeeper(["export", "--ledger", ledger])
        #expect(exported.standardOutput.split(separator: "\n").count == 2)
        #expect(exported.standardOutput.contains(#""tag":"x'); DROP TABLE threads; --""#))
        let tables = try ProcessRunner.run("/usr/bin/sqlite3", ["-readonly", ledger, "SELECT count(*) FROM threads"])
        #expect(tables.standardOutput == "2\n")
    }

    @Test func theEmulatorWarnsWhenItListensBeyondLoopback() throws {
        let directory = TemporaryDirectory(prefix: "threadkeeper-security")
        let portFile = directory.file("port")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: BuiltProducts.emulator)
        process.arguments = ["--host", "0.0.0.0", "--port", "0", "--port-file", portFile]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        for _ in 0..<500 where !FileManager.default.fileExists(atPath: portFile) { usleep(20_000) }
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(
            text.hasPrefix(
                "threadkeeper-emulator: warning: listening on '0.0.0.0', which is not loopback: anyone who can reach it can read and delete its threads"
            ))
    }
}
