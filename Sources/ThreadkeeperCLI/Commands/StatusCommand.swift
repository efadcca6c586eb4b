import Foundation
import Ledger

/// `threadkeeper status`: what the ledger holds.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the ledger: threads by state and source, oldest live thread, size, schema, recent runs.",
        discussion: """
            Reads only; safe beside a running daemon. The size counts the database file and its \
            write-ahead log; growth is the bytes a thousand actions take in the action log and its \
            indexes (measured with SQLite's dbstat), to plan disk space for years of runs.
            """,
        options: [
            OptionSpec.flag("--json", help: "Print a JSON object."),
            OptionSpec("--runs", value: "N", help: "How many recent runs to show (default 5)."),
        ],
        examples: [
            ("threadkeeper status", "counts, the oldest live thread and recent runs"),
            ("runuser -u threadkeeper -- threadkeeper status --json", "the same for the service's ledger, as JSON"),
        ],
        exitCodes: [
            (.success, "success"),
            (.usage, "bad usage: unknown option, missing or bad value"),
            (.noInput, "there is no ledger at the path"),
            (.ioError, "the ledger is unreadable, corrupt or written by a newer threadkeeper"),
        ])

    var json: Bool
    var runs: Int

    init(arguments: ParsedArguments) throws {
        json = arguments.flag("--json")
        runs = try arguments.integer("--runs", minimum: 0) ?? 5
    }

    func run(_ context: CommandContext) async throws -> ExitCode {
        let ledger = try context.openLedger(readOnly: true)
        let status = try ledger.status(recentRuns: runs)
        let now = ledger.now()
        if json {
            context.print(try Self.json(status))
            return .success
        }
        let total = status.threadsByState.values.reduce(0, +)
        context.print("ledger:       \(status.path)")
        context.print("schema:       version \(status.schemaVersion), SQLite \(SQLiteDatabase.libraryVersion)")
        context.print("size:         \(TimeFormatting.bytes(status.sizeBytes))")
        let states = ThreadState.allCases.map { "\($0.rawValue) \(status.threadsByState[$0] ?? 0)" }.joined(separator: ", ")
        context.print("threads:      \(total) (\(states))")
        let sources = ThreadSource.allCases.map { "\($0.rawValue) \(status.threadsBySource[$0] ?? 0)" }.joined(separator: ", ")
        context.print("sources:      \(sources)")
        if let oldest = status.oldestLive, let created = oldest.createdAt {
            context.print(
                "oldest live:  \(oldest.id), created \(TimeFormatting.utc(created)) "
                    + "(\(TimeFormatting.age(now - created)) ago)")
        } else {
            context.print("oldest live:  none")
        }
        if status.liveOfUnknownAge > 0 {
            context.print(
                "unknown age:  \(status.liveOfUnknownAge) live threads without created_at match no age rule; "
                    + "run 'threadkeeper sync' to read it from the API")
        }
        var actions = "actions:      \(status.actions) (\(status.openActions) open)"
        if let growth = status.bytesPerThousandActions, status.actions > 0 {
            actions += ", \(TimeFormatting.bytes(growth)) per 1000 actions"
        }
        context.print(actions)
        if status.recentRuns.isEmpty {
            context.print("recent runs:  none")
        } else {
            context.print("recent runs:")
            for run in status.recentRuns {
                let counts = run.counts
                context.print(
                    "  #\(run.id) \(run.rule) \(run.trigger.rawValue)\(run.dryRun ? " dry-run" : "") \(run.status.rawValue) "
                        + "started \(TimeFormatting.utc(run.startedAt)): matched \(counts.matched), done \(counts.done), "
                        + "gone \(counts.gone), skipped \(counts.skipped), failed \(counts.failed)")
            }
        }
        return .success
    }

    static func json(_ status: LedgerStatus) throws -> String {
        var object: [String: Any] = [
            "ledger": status.path,
            "schema_version": status.schemaVersion,
            "size_bytes": status.sizeBytes,
            "threads": Dictionary(uniqueKeysWithValues: ThreadState.allCases.map { ($0.rawValue, status.threadsByState[$0] ?? 0) }),
            "sources": Dictionary(uniqueKeysWithValues: ThreadSource.allCases.map { ($0.rawValue, status.threadsBySource[$0] ?? 0) }),
            "actions": status.actions,
            "open_actions": status.openActions,
            "bytes_per_1000_actions": status.bytesPerThousandActions.map { $0 as Any } ?? NSNull(),
            "oldest_live": status.oldestLive.map { ["id": $0.id, "created_at": $0.createdAt ?? 0] as [String: Any] } ?? NSNull(),
            "live_of_unknown_age": status.liveOfUnknownAge,
        ]
        object["recent_runs"] = status.recentRuns.map { run -> [String: Any] in
            [
                "id": run.id, "rule": run.rule, "rule_digest": run.ruleDigest, "trigger": run.trigger.rawValue,
                "dry_run": run.dryRun, "started_at": run.startedAt, "finished_at": run.finishedAt.map { $0 as Any } ?? NSNull(),
                "status": run.status.rawValue, "matched": run.counts.matched, "done": run.counts.done, "gone": run.counts.gone,
                "skipped": run.counts.skipped, "failed": run.counts.failed,
            ]
        }
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }
}
