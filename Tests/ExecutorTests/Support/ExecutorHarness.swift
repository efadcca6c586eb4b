import Emulator
import Foundation
import Journal
import Ledger
import Rules
import TestSupport
import ThreadsAPI

@testable import Executor

/// An emulator on port 0, a ledger in a temp dir holding the same threads, and an executor between them.
final class ExecutorHarness: Sendable {
    static let now: Int64 = Int64(Date().timeIntervalSince1970)
    static let day: Int64 = 86_400

    let directory = TemporaryDirectory()
    let server: EmulatorServer
    let ledger: Ledger
    let logs = InMemoryLogHandler()

    init(faults: EmulatorFaults = .none, apiKey: String? = nil) async throws {
        server = try await EmulatorServer.start(EmulatorOptions(faults: faults, apiKey: apiKey, eventLoops: 1))
        ledger = try Ledger(path: directory.file("ledger.sqlite3"))
    }

    func stop() async { await server.stop() }

    /// Creates a thread at the emulator and records it in the ledger; returns its id.
    @discardableResult
    func thread(ageDays: Int64, metadata: [String: String] = [:], messages: Int = 0, ledgerMetadata: [String: String]? = nil)
        async throws -> String
    {
        let created = Self.now - ageDays * Self.day
        let times = (0..<messages).map { created + Int64($0) * 60 }
        let id = await server.insertThread(createdAt: created, metadata: metadata, messageTimes: times)
        try ledger.save(
            ThreadRecord(id: id, createdAt: created, metadata: ledgerMetadata ?? metadata, firstSeen: created))
        return id
    }

    var archiveDirectory: String { directory.file("archive") }

    func client(key: String = "sk-test", baseURL: String? = nil, rate: Double = 2_000, concurrency: Int = 8) throws -> ThreadsClient {
        let configuration = APIConfiguration(
            provider: .custom, baseURL: baseURL ?? server.baseURL, timeout: 10, requestsPerSecond: rate, burst: 50,
            concurrency: concurrency, maxAttempts: 3, retryDeadline: 10)
        return try ThreadsClient(configuration: configuration, key: try APIKey(key))
    }

    func executor(client: ThreadsClient? = nil, concurrency: Int = 8, archive: String? = nil) throws -> Executor {
        Executor(
            ledger: ledger, client: try client ?? self.client(concurrency: concurrency),
            settings: ExecutorSettings(
                concurrency: concurrency, archive: ArchiveStore(directory: archive ?? archiveDirectory), intentBatch: 16,
                settleBatch: 8),
            logger: Logger(handler: logs, logLevel: .debug))
    }

    /// Parses rule text as `NAME.rule` in the temp dir (written there, so `--plan` digests can be checked).
    func rule(_ name: String, _ text: String) throws -> Rule {
        let path = try directory.write("rules/\(name).rule", text)
        let (rules, diagnostics) = RuleSet.load(files: [path], now: Self.now)
        guard let rule = rules.first else {
            throw RuleError(diagnostics: diagnostics)
        }
        return rule
    }

    func state(_ id: String) throws -> ThreadState? { try ledger.thread(id: id)?.state }

    /// Outcomes of the run's actions by thread id.
    func outcomes(run: Int64) throws -> [String: String] {
        var map: [String: String] = [:]
        for row in try ledger.rows("SELECT thread_id, coalesce(outcome, 'open') FROM actions WHERE run_id = ?", [.integer(run)]) {
            map[row[0].textValue ?? ""] = row[1].textValue
        }
        return map
    }
}
