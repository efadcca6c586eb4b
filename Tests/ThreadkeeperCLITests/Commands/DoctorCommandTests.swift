import Emulator
import Foundation
import Ledger
import TestSupport
import Testing

/// `threadkeeper doctor` run as the built binary against the emulator playing each provider.
@Suite struct DoctorCommandTests {
    static let secret = "sk-doctor-test-41c7e09b2d"

    /// A config, a rules directory, a key file and an emulator; nothing at the API may change.
    final class Setup: @unchecked Sendable {
        // @unchecked Sendable: used from the test's own task only.
        let directory = TemporaryDirectory()
        let server: EmulatorServer
        var ledger: String { directory.file("ledger.sqlite3") }
        var rules: String { directory.file("rules") }
        var keyFile: String { directory.file("api-key") }

        init(
            flavor: EmulatorFlavor = .aimlapi, key: String = DoctorCommandTests.secret, keyMode: mode_t = 0o600,
            faults: EmulatorFaults = .none
        ) async throws {
            server = try await EmulatorServer.start(
                EmulatorOptions(seedCount: 3, seedRandom: 5, faults: faults, apiKey: DoctorCommandTests.secret, flavor: flavor))
            try FileManager.default.createDirectory(atPath: rules, withIntermediateDirectories: false)
            _ = try directory.write(
                "rules/old.rule", "[Rule]\nAction=report\n\n[Match]\nOlderThan=30d\n")
            _ = try directory.write("api-key", key + "\n")
            chmod(keyFile, keyMode)
        }

        func config(_ api: String) throws -> String {
            try directory.write("threadkeeper.conf", "[API]\n\(api)\nApiKeyFile=\(keyFile)\nRequestsPerSecond=5\n")
        }

        func doctor(_ api: String, _ extra: [String] = [], environment: [String: String] = [:]) throws -> ProcessResult {
            var base = ["PATH": "/usr/bin:/bin", "HOME": directory.path]
            base.merge(environment) { _, new in new }
            return try ProcessRunner.threadkeeper(
                ["doctor", "--config", try config(api), "--rules", rules, "--ledger", ledger] + extra, environment: base)
        }

        /// The checks of a `--json` answer by name.
        func checks(_ result: ProcessResult) throws -> [String: [String: Any]] {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
            let checks = try #require(object["checks"] as? [[String: Any]])
            return Dictionary(uniqueKeysWithValues: checks.map { ($0["name"] as? String ?? "", $0) })
        }

        func stop() async { await server.stop() }
    }

    @Test func aWorkingSetupIsOkLineByLineAndChangesNothing() async throws {
        let setup = try await Setup()
        defer { Task { await setup.stop() } }
        // A ledger whose chain is verified.
        _ = try Ledger(path: setup.ledger)
        let before = await setup.server.stats()

        let result = try setup.doctor("Provider=aimlapi\nBaseURL=\(setup.server.baseURL)")
        #expect(result.status == 0, "\(result.standardOutput)\(result.standardError)")
        let lines = result.standardOutput.split(separator: "\n").map(String.init)
        #expect(lines.first == "ok      config: '\(setup.directory.file("threadkeeper.conf"))' loads")
        #expect(lines.contains("ok      rules: 1 rule in '\(setup.rules)' load"))
        #expect(lines.contains("ok      key: from key file \(setup.keyFile)"))
        #expect(lines.contains("ok      base_url: '\(setup.server.baseURL)' (aimlapi): plain http to loopback"))
        #expect(lines.contains("ok      http_helper: threadkeeper-http at \(BuiltProducts.directory)/threadkeeper-http"))
        #expect(lines.contains("ok      key_accepted: the provider answered past the key check"))
        #expect(
            lines.contains { $0.hasPrefix("ok      probe: GET /threads/thread_threadkeeperprobe0000000 got aimlapi's not-found answer") })
        #expect(lines.contains { $0.hasPrefix("ok      rate_limits: the provider sends x-ratelimit-limit-requests=1000000000") })
        #expect(lines.contains { $0.hasPrefix("ok      clock: the local clock is ") })
        #expect(lines.contains("ok      ledger: '\(setup.ledger)' opens"))
        #expect(lines.contains { $0.hasPrefix("ok      audit: the hash chain holds over ") })
        #expect(lines.last == "11 ok, 0 warnings, 0 failed: this setup can work")
        #expect(!result.standardOutput.contains(Self.secret))

        // One GET, and nothing created, changed or deleted.
        let after = await setup.server.stats()
        #expect(after.totalRequests == before.totalRequests + 1)
        #expect(after.requestsByMethod["GET", default: 0] == before.requestsByMethod["GET", default: 0] + 1)
        #expect(after.liveThreads == 3)
        #expect(after.deletedThreads == 0)

        let json = try setup.doctor("Provider=aimlapi\nBaseURL=\(setup.server.baseURL)", ["--json"])
        #expect(json.status == 0)
        let checks = try setup.checks(json)
        #expect(checks.count == 11)
        #expect(checks.values.allSatisfy { $0["status"] as? String == "ok" })
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any])
        #expect(object["exit_code"] as? Int == 0)
        #expect(object["failed"] as? Int == 0)
    }

    /// A binary installed without its helper: doctor names where it looked and exits 69, and
    /// sends nothing.
    @Test func aMissingHTTPHelperIsNamedAndExits69() async throws {
        let setup = try await Setup()
        defer { Task { await setup.stop() } }
        let lonely = setup.directory.file("bin/threadkeeper")
        try FileManager.default.createDirectory(atPath: setup.directory.file("bin"), withIntermediateDirectories: false)
        try FileManager.default.copyItem(atPath: BuiltProducts.threadkeeper, toPath: lonely)
        let before = await setup.server.stats()
        let result = try ProcessRunner.run(
            lonely,
            [
                "doctor", "--json", "--config", try setup.config("Provider=aimlapi\nBaseURL=\(setup.server.baseURL)"), "--rules",
                setup.rules, "--ledger", setup.ledger,
            ], environment: ["PATH": "/usr/bin:/bin", "HOME": setup.directory.path])
        #expect(result.status == 69, "\(result.standardOutput)\(result.standardError)")
        let checks = try setup.checks(result)
        #expect(checks["http_helper"]?["status"] as? String == "failed")
        // As /proc/self/exe names it: the temporary directory's path without a doubled slash.
        let root = (setup.directory.path as NSString).standardizingPath
        #expect(
            checks["http_helper"]?["detail"] as? String
                == "cannot find the HTTP helper threadkeeper-http at \(root)/bin/threadkeeper-http or "
                + "\(root)/lib/threadkeeper/threadkeeper-http; it sends every request: install it there "
                + "(scripts/install puts it in PREFIX/lib/threadkeeper)")
        #expect(checks["probe"]?["status"] as? String == "skipped")
        #expect(await setup.server.stats().totalRequests == before.totalRequests)
    }

    @Test func theOpenAIFlavorWorksWithTheOpenAIProfile() async throws {
        let setup = try await Setup(flavor: .openai)
        defer { Task { await setup.stop() } }
        let result = try setup.doctor("Provider=openai\nBaseURL=\(setup.server.baseURL)/v1", ["--json"])
        #expect(result.status == 0, "\(result.standardOutput)")
        #expect(try setup.checks(result)["probe"]?["status"] as? String == "ok")
        // OpenAI no longer serves threads: the probe asks where it serves conversations.
        let detail = try setup.checks(result)["probe"]?["detail"] as? String
        let probe = "GET /conversations/conv_7468726561646b656570657270726f626500000000000000"
        #expect(detail?.hasPrefix(probe + " got openai's not-found answer") == true)
    }

    @Test func aWrongKeyIsRefusedWith401AndExits69() async throws {
        let setup = try await Setup(key: "sk-not-the-right-one-0000")
        defer { Task { await setup.stop() } }
        let result = try setup.doctor("Provider=aimlapi\nBaseURL=\(setup.server.baseURL)")
        #expect(result.status == 69)
        let lines = result.standardOutput.split(separator: "\n").map(String.init)
        #expect(
            lines.contains {
                $0.hasPrefix(
                    "failed  key_accepted: the key was refused: GET /threads/thread_threadkeeperprobe0000000: 401: Incorrect API key provided."
                )
            })
        #expect(lines.contains("        fix: the key is wrong or revoked: put a valid key where the key line says it comes from"))
        #expect(lines.contains("skipped probe: needs an accepted key"))
        #expect(lines.last == "7 ok, 1 warning, 1 failed: the API cannot be used with this setup")
        #expect(!result.standardOutput.contains("sk-not-the-right-one"))
    }

    /// A 403 is not a wrong key: AI/ML API answers it for an account out of credits.
    @Test func a403SaysCreditsOrAccessNotTheKey() async throws {
        var faults = EmulatorFaults()
        faults.forbidsAccess = true
        let setup = try await Setup(faults: faults)
        defer { Task { await setup.stop() } }
        let result = try setup.doctor("Provider=aimlapi\nBaseURL=\(setup.server.baseURL)")
        #expect(result.status == 69)
        let lines = result.standardOutput.split(separator: "\n").map(String.init)
        let line = try #require(lines.first { $0.hasPrefix("failed  key_accepted: ") })
        #expect(line.hasPrefix("failed  key_accepted: the key is known but may not do this (403, not a wrong key): "))
        #expect(line.contains("(AI/ML API answers 403 when the account is out of credits"))
        #expect(
            lines.contains(
                "        fix: the account is out of credits or the key lacks access to the Threads API: top up the balance or check the key's permissions"
            ))
        #expect(lines.contains("skipped probe: needs a key that may read threads"))
    }

    /// The budget is read as the limiter reads it: what is spent is refilled in `reset`. The
    /// emulator's bucket of 4 at 2 a second says limit 4, remaining 3, reset 500ms after one GET.
    @Test func theRateLimitHeadersAreReadAsTheLimiterReadsThem() async throws {
        var faults = EmulatorFaults()
        faults.requestsPerSecond = 2
        faults.burst = 4
        let setup = try await Setup(faults: faults)
        defer { Task { await setup.stop() } }
        let result = try setup.doctor("Provider=aimlapi\nBaseURL=\(setup.server.baseURL)")
        #expect(result.status == 0, "\(result.standardOutput)\(result.standardError)")
        let lines = result.standardOutput.split(separator: "\n").map(String.init)
        let line = try #require(lines.first { $0.contains("rate_limits: ") })
        #expect(line.hasPrefix("warning rate_limits: the provider sends x-ratelimit-limit-requests=4, "))
        #expect(line.hasSuffix(": it refills about 2 requests a second (120 a minute); RequestsPerSecond=5"))
        #expect(
            lines.contains(
                "        fix: set RequestsPerSecond= to at most 2 (the account's budget, shared with other clients of the key), or the limiter slows to it after the first answers"
            ))
    }

    @Test func aWrongBaseURLIsNotTheAPI() async throws {
        let setup = try await Setup()
        defer { Task { await setup.stop() } }
        let result = try setup.doctor("Provider=aimlapi\nBaseURL=\(setup.server.baseURL)/v1", ["--json"])
        #expect(result.status == 69)
        let probe = try #require(try setup.checks(result)["probe"])
        #expect(probe["status"] as? String == "failed")
        #expect((probe["detail"] as? String)?.contains("Invalid URL (GET /v1/threads/thread_threadkeeperprobe0000000)") == true)
        #expect(
            probe["fix"] as? String
                == "BaseURL= '\(setup.server.baseURL)/v1' does not lead to the Threads API (AI/ML API's is https://api.aimlapi.com, without /v1); check BaseURL= and Provider="
        )
        #expect(try setup.checks(result)["key_accepted"]?["status"] as? String == "skipped")
    }

    @Test func aMissingBetaHeaderSaysWhichHeaderToAdd() async throws {
        let setup = try await Setup(flavor: .openai)
        defer { Task { await setup.stop() } }
        let result = try setup.doctor("Provider=custom\nBaseURL=\(setup.server.baseURL)/v1")
        #expect(result.status == 69)
        let lines = result.standardOutput.split(separator: "\n").map(String.init)
        #expect(
            lines.contains {
                $0.hasPrefix(
                    "failed  probe: the provider wants the OpenAI-Beta header: GET /threads/thread_threadkeeperprobe0000000: 400 invalid_request_error: You must provide the 'OpenAI-Beta' header"
                )
            })
        #expect(lines.contains("        fix: add 'Header=OpenAI-Beta: assistants=v2' to [API] (Provider=openai sends it itself)"))

        let fixed = try setup.doctor("Provider=custom\nBaseURL=\(setup.server.baseURL)/v1\nHeader=OpenAI-Beta: assistants=v2")
        #expect(fixed.status == 0, "\(fixed.standardOutput)")
    }

    @Test func aWorldReadableKeyFileFailsWithTheChmodToRun() async throws {
        let setup = try await Setup(keyMode: 0o644)
        defer { Task { await setup.stop() } }
        let before = await setup.server.stats().totalRequests
        let result = try setup.doctor("Provider=aimlapi\nBaseURL=\(setup.server.baseURL)")
        #expect(result.status == 69)
        let lines = result.standardOutput.split(separator: "\n").map(String.init)
        #expect(
            lines.contains(
                "failed  key: api key file '\(setup.keyFile)' is readable by group or others (mode 644); run 'chmod 600 \(setup.keyFile)'"))
        #expect(lines.contains("skipped probe: no key to send"))
        #expect(await setup.server.stats().totalRequests == before)
    }

    /// Under systemd the key is a private copy; the file it was copied from is what others may read.
    @Test func aWorldReadableCredentialSourceIsAWarning() async throws {
        let setup = try await Setup(keyMode: 0o644)
        defer { Task { await setup.stop() } }
        let credentials = setup.directory.file("credentials")
        try FileManager.default.createDirectory(atPath: credentials, withIntermediateDirectories: false)
        _ = try setup.directory.write("credentials/api-key", Self.secret + "\n")
        chmod(credentials + "/api-key", 0o400)
        let result = try setup.doctor(
            "Provider=aimlapi\nBaseURL=\(setup.server.baseURL)", ["--json"], environment: ["CREDENTIALS_DIRECTORY": credentials])
        #expect(result.status == 0, "\(result.standardOutput)")
        let key = try #require(try setup.checks(result)["key"])
        #expect(key["status"] as? String == "warning")
        #expect((key["detail"] as? String)?.contains("is readable by group or others (mode 644); run 'chmod 600 \(setup.keyFile)'") == true)
    }

    @Test func helpShowsExamplesAndExitCodes() throws {
        let result = try ProcessRunner.threadkeeper(["doctor", "--help"])
        #expect(result.status == 0)
        #expect(result.standardOutput.contains("Examples:\n  threadkeeper doctor\n"))
        #expect(result.standardOutput.contains("threadkeeper doctor --config /etc/threadkeeper/threadkeeper.conf --json"))
        #expect(result.standardOutput.contains("69"))
        #expect(result.standardOutput.contains("the API cannot be used"))
    }

    @Test func aBadConfigExits65() async throws {
        let setup = try await Setup()
        defer { Task { await setup.stop() } }
        let result = try setup.doctor("Provider=aimlapi\nBaseURL=\(setup.server.baseURL)\nRequestsPerSecnd=3")
        #expect(result.status == 65)
        #expect(result.standardOutput.hasPrefix("failed  config: \(setup.directory.file("threadkeeper.conf")):4:"))
    }
}
