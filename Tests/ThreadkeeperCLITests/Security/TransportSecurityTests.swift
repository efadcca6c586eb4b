import Emulator
import Foundation
import TestSupport
import Testing

/// What the built binary does to itself before it sends anything: no proxy for loopback, no
/// header-printing debug variables, no core dumps (docs/SECURITY.md, issue 15).
struct TransportSecurityTests {
    static let key = "sk-transport-5c0e9a7d3b1f4e2a8c6d"

    /// A proxy on port 0 that records every request and answers 502.
    static func proxy() throws -> CannedServer {
        try CannedServer(head: "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    }

    @Test(arguments: ["127.0.0.1", "localhost"])
    func aProxyFromTheEnvironmentNeverSeesALoopbackRequest(host: String) async throws {
        let proxy = try Self.proxy()
        defer { proxy.stop() }
        let server = try await EmulatorServer.start(EmulatorOptions(apiKey: Self.key))
        defer { Task { await server.stop() } }
        let proxyURL = "http://127.0.0.1:\(proxy.port)"
        var environment = ["PATH": "/usr/bin:/bin", "THREADKEEPER_API_KEY": Self.key]
        for name in ["http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY", "https_proxy", "HTTPS_PROXY"] {
            environment[name] = proxyURL
        }
        let result = try ProcessRunner.threadkeeper(
            ["get", "thread_absent", "--base-url", "http://\(host):\(server.port)"], environment: environment)
        // The emulator's own not-found answer came back: the request went straight to it.
        #expect(result.standardError.contains("No thread found with id 'thread_absent'"), "\(result.standardError)")
        #expect(proxy.connections == 0, "the proxy got: \(proxy.requests)")
    }

    @Test func httpsStillGoesThroughHTTPSProxy() async throws {
        let proxy = try Self.proxy()
        defer { proxy.stop() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: BuiltProducts.threadkeeper)
        process.arguments = ["get", "thread_a", "--base-url", "https://api.threadkeeper.invalid"]
        process.environment = [
            "PATH": "/usr/bin:/bin", "THREADKEEPER_API_KEY": Self.key, "HTTPS_PROXY": "http://127.0.0.1:\(proxy.port)",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        // The client retries a failed tunnel; the first CONNECT is all this needs to see.
        for _ in 0..<500 where proxy.requests.isEmpty { usleep(20_000) }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let first = try #require(proxy.requests.first)
        #expect(first.hasPrefix("CONNECT api.threadkeeper.invalid:443 HTTP/1.1\r\n"), "\(first)")
        // A tunnel: the proxy sees the host, never the request or its key.
        #expect(!first.contains(Self.key))
    }

    @Test func debugVariablesThatPrintHeadersAreRemovedAtStart() async throws {
        let server = try await EmulatorServer.start(EmulatorOptions(apiKey: Self.key))
        defer { Task { await server.stop() } }
        let result = try ProcessRunner.threadkeeper(
            ["get", "thread_absent", "--base-url", server.baseURL],
            environment: [
                "PATH": "/usr/bin:/bin", "THREADKEEPER_API_KEY": Self.key, "URLSessionDebugLibcurl": "1",
                "URLSessionDebug": "1",
            ])
        #expect(result.standardError.contains("No thread found"), "\(result.standardError)")
        for output in [result.standardOutput, result.standardError] {
            #expect(!output.contains(Self.key))
            #expect(!output.lowercased().contains("authorization"), "\(output)")
        }
    }

    /// `prctl(PR_SET_DUMPABLE, 0)` shows from outside: the `/proc/PID` files of a process
    /// that is not dumpable belong to root, whoever runs it (proc(5)). Run as `nobody`, so
    /// the difference is visible.
    @Test func theCLIIsNotDumpable() throws {
        let directory = TemporaryDirectory(prefix: "threadkeeper-dumpable")
        #expect(chown(directory.path, 65534, 65534) == 0)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        process.arguments = [
            "--reuid=65534", "--regid=65534", "--clear-groups", BuiltProducts.threadkeeper, "import", "-", "--ledger",
            directory.file("ledger.sqlite3"),
        ]
        process.environment = ["PATH": "/usr/bin:/bin"]
        let input = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        let proc = "/proc/\(process.processIdentifier)"
        // Waiting on stdin: setpriv has become threadkeeper, which made itself not dumpable.
        var owner: uid_t = 65534
        var name = ""
        for _ in 0..<500 {
            name = (try? String(contentsOfFile: proc + "/comm", encoding: .utf8))?.trimmingCharacters(in: .newlines) ?? ""
            var info = stat()
            if name == "threadkeeper", stat(proc + "/status", &info) == 0 {
                owner = info.st_uid
                if owner == 0 { break }
            }
            usleep(20_000)
        }
        #expect(name == "threadkeeper")
        #expect(owner == 0, "/proc/PID/status belongs to uid \(owner): the process is dumpable")
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }

    @Test func aKeyFileOthersMayReadBehindACredentialIsNamed() async throws {
        let directory = TemporaryDirectory(prefix: "threadkeeper-security")
        let credential = try directory.write("credentials/api-key", Self.key + "\n")
        chmod(credential, 0o400)
        let keyFile = try directory.write("etc/api-key", Self.key + "\n")
        chmod(keyFile, 0o644)
        let config = try directory.write("threadkeeper.conf", "[API]\nApiKeyFile=\(keyFile)\n")
        let server = try await EmulatorServer.start(EmulatorOptions(apiKey: Self.key))
        defer { Task { await server.stop() } }
        let result = try ProcessRunner.threadkeeper(
            ["get", "thread_absent", "--config", config, "--base-url", server.baseURL],
            environment: ["PATH": "/usr/bin:/bin", "CREDENTIALS_DIRECTORY": directory.file("credentials")])
        #expect(
            result.standardError.contains(
                "threadkeeper: warning: api key file '\(keyFile)' (the source of systemd credential '\(credential)') is readable by group or others (mode 644); run 'chmod 600 \(keyFile)'"
            ), "\(result.standardError)")
        // The key from the credential was used: the emulator answered, not a 401.
        #expect(result.standardError.contains("No thread found"))
        #expect(!result.standardError.contains(Self.key))
    }
}
