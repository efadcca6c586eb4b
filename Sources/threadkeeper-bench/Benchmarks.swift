/// Every benchmark by name; each entry's implementation has a file of its own.
enum Benchmarks {
    static let all: [String: @Sendable ([String]) async throws -> Void] = [
        "noop": { _ in print("noop: ok") },
        "calendar": { arguments in try CalendarBenchmark.run(arguments) },
        "rules": { arguments in try RulesBenchmark.run(arguments) },
        "glob": { arguments in try GlobBenchmark.run(arguments) },
        "daemon": { arguments in try await DaemonBenchmark.run(arguments) },
        "ledger-count": { arguments in try LedgerCountBenchmark.run(arguments) },
        "import-parse": { arguments in try ImportParseBenchmark.run(arguments) },
        "client": { arguments in try await ClientBenchmark.run(arguments) },
        "archive": { arguments in try ArchiveBenchmark.run(arguments) },
        "hash": { arguments in try HashBenchmark.run(arguments) },
    ]
}
