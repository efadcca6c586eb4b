import Foundation
import TestSupport
import Testing

/// The daemon at start warns when the file behind its key credential is readable by others:
/// under systemd the key is a credential copy, so `ApiKeyFile=`'s own mode check never runs.
@Suite struct DaemonKeyFileTests {
    @Test func aKeyFileOthersMayReadIsNamedAtStart() async throws {
        let directory = TemporaryDirectory()
        try directory.write("rules/every-5s.rule", DaemonProcessTests.everyFiveSeconds)
        let credential = try directory.write("credentials/api-key", "sk-daemon-credential\n")
        chmod(credential, 0o400)
        let keyFile = try directory.write("etc/api-key", "sk-daemon-credential\n")
        chmod(keyFile, 0o644)
        let ledgerPath = directory.file("ledger.sqlite3")
        let config = try directory.write(
            "threadkeeper.conf",
            DaemonProcessTests.config(ledger: ledgerPath, rules: directory.file("rules"), baseURL: "http://127.0.0.1:9")
                .replacingOccurrences(of: "[API]\n", with: "[API]\nApiKeyFile=\(keyFile)\n"))
        let daemon = try DaemonProcess(
            arguments: ["--config", config, "--log-target", "stderr"],
            environment: ["CREDENTIALS_DIRECTORY": directory.file("credentials")], directory: directory)
        defer { daemon.stop() }
        _ = try #require(await daemon.next { $0.hasPrefix("READY=1") }, "no READY=1; stderr: \(daemon.standardError)")
        let log = daemon.standardError
        #expect(log.contains("api key file '\(keyFile)'"), "\(log)")
        #expect(log.contains("run 'chmod 600 \(keyFile)'"))
        #expect(!log.contains("sk-daemon-credential"))
    }
}
