import CommandLineKit
import Executor
import Foundation
import JSON
import Ledger
import Rules
import SQLite

/// `threadkeeper status`: what the ledger holds.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the ledger and each rule's backlog: threads by state, recent runs, what each rule has left and how long it takes.",
        discussion: """
            Reads only; safe beside a running daemon. The size counts the database file and its \
            write-ahead log; growth is the bytes a thousand actions take in the action log and its \
            indexes (measured with SQLite's dbstat), to plan disk space for years of runs.

            For each rule that loads from the rules directory: its last run (when, status, the \
            exit code its status stands for, counts), its next run from Schedule=, the threads it matches now \
            (as 'plan' counts them) and how long clearing them takes at [API] RequestsPerSecond=: \
            each thread costs its action's request, a GET first when Verify= or Archive= reads it \
            (tag and untag always read first), and at least one page of messages with Archive=yes. \
            A million threads at 5 requests/s with Verify=always is 2 million requests, about 4.6 \
            days. Rule files with errors are left out; 'threadkeeper check' names their faults.
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
            (.dataError, "the config file has errors"),
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
        let configuration = try context.loadConfiguration()
        let ledger = try context.openLedger(configuration, readOnly: true)
        let status = try ledger.status(recentRuns: runs)
        let now = ledger.now()
        let rulesDirectory = context.rulesDirectory(for: configuration)
        let (rules, diagnostics) = RuleSet.load(
            directory: rulesDirectory, hold: configuration.hold.value, budget: configuration.budget, now: now)
        // Files left out for their errors; a missing directory is said by "none loaded".
        let broken = Set(diagnostics.filter { $0.isError && $0.file != rulesDirectory }.map(\.file)).sorted()
        let backlogs = try RuleBacklog.collect(
            rules: rules, ledger: ledger, now: now, hold: configuration.hold.value,
            requestsPerSecond: configuration.requestsPerSecond.value)
        if json {
            context.print(try Self.json(status, backlogs: backlogs, brokenRules: broken))
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
        let objects = ObjectKind.allCases.map { "\($0.rawValue) \(status.byObject[$0] ?? 0)" }.joined(separator: ", ")
        context.print("objects:      \(objects)")
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
        if backlogs.isEmpty {
            context.print("rules:        none loaded from \(rulesDirectory)")
        } else {
            context.print("rules:        at \(ShowConfigCommand.number(configuration.requestsPerSecond.value)) requests/s")
            for backlog in backlogs { Self.printBacklog(backlog, context) }
        }
        if !broken.isEmpty {
            context.print(
                "left out:     \(broken.joined(separator: ", ")) (errors; 'threadkeeper check' names them)")
        }
        return .success
    }

    static func printBacklog(_ backlog: RuleBacklog, _ context: CommandContext) {
        let rule = backlog.rule
        context.print("  \(rule.name) (\(rule.action.rawValue)\(rule.enabled ? "" : ", disabled"))")
        if let run = backlog.lastRun {
            let exit = RuleBacklog.exitCode(status: run.status, failed: run.counts.failed).map { " (exit \($0))" } ?? ""
            let counts = run.counts
            context.print(
                "    last run:  #\(run.id) \(TimeFormatting.utc(run.startedAt))\(run.dryRun ? " dry-run" : ""), "
                    + "\(run.status.rawValue)\(exit): matched \(counts.matched), done \(counts.done), gone \(counts.gone), "
                    + "skipped \(counts.skipped), failed \(counts.failed)")
        } else {
            context.print("    last run:  never")
        }
        if let next = backlog.nextRun {
            context.print("    next run:  \(TimeFormatting.utc(next)) (\(rule.schedule?.text ?? ""))")
        } else if let schedule = rule.schedule {
            context.print("    next run:  none (\(rule.enabled ? "\(schedule.text) never elapses again" : "Enabled=no"))")
        } else {
            context.print("    next run:  manual runs only")
        }
        context.print("    matches:   \(backlog.matches) thread\(backlog.matches == 1 ? "" : "s") now")
        context.print("    to clear:  \(clearanceText(backlog))")
    }

    /// "about 4.6 days: 2000000 requests, 2 a thread (1 DELETE + 1 GET (Verify=always)), in 200 runs of MaxThreads=5000".
    static func clearanceText(_ backlog: RuleBacklog) -> String {
        let estimate = backlog.clearance
        guard backlog.matches > 0 else { return "nothing to clear" }
        guard estimate.requestsPerThread > 0 else { return "no API time: \(estimate.requestsInWords)" }
        let time = ClearanceEstimate.words(seconds: estimate.seconds)
        let least = estimate.perThreadIsMinimum
        var text =
            "\(least ? "at least \(time)" : "about \(time)"): \(least ? "at least " : "")\(estimate.requests) requests, "
            + "\(estimate.requestsPerThread)\(least ? " or more" : "") a thread (\(estimate.requestsInWords))"
        if let runs = backlog.runsNeeded, let maxThreads = backlog.rule.limits.maxThreads, runs > 1 {
            text += ", in \(runs) runs of MaxThreads=\(maxThreads)"
        }
        return text
    }

    static func json(_ status: LedgerStatus, backlogs: [RuleBacklog] = [], brokenRules: [String] = []) throws -> String {
        var object: [String: JSONValue] = [
            "ledger": .init(status.path),
            "schema_version": .init(status.schemaVersion),
            "size_bytes": .init(status.sizeBytes),
            "threads": .init(Dictionary(uniqueKeysWithValues: ThreadState.allCases.map { ($0.rawValue, status.threadsByState[$0] ?? 0) })),
            "sources": .init(
                Dictionary(uniqueKeysWithValues: ThreadSource.allCases.map { ($0.rawValue, status.threadsBySource[$0] ?? 0) })),
            "objects": .init(Dictionary(uniqueKeysWithValues: ObjectKind.allCases.map { ($0.rawValue, status.byObject[$0] ?? 0) })),
            "actions": .init(status.actions),
            "open_actions": .init(status.openActions),
            "bytes_per_1000_actions": .init(status.bytesPerThousandActions),
            "oldest_live": status.oldestLive.map { ["id": .init($0.id), "created_at": .init($0.createdAt ?? 0)] } ?? .null,
            "live_of_unknown_age": .init(status.liveOfUnknownAge),
        ]
        object["recent_runs"] = .array(
            status.recentRuns.map { run -> JSONValue in
                [
                    "id": .init(run.id), "rule": .init(run.rule), "rule_digest": .init(run.ruleDigest),
                    "trigger": .init(run.trigger.rawValue), "dry_run": .init(run.dryRun), "started_at": .init(run.startedAt),
                    "finished_at": .init(run.finishedAt), "status": .init(run.status.rawValue), "matched": .init(run.counts.matched),
                    "done": .init(run.counts.done), "gone": .init(run.counts.gone), "skipped": .init(run.counts.skipped),
                    "failed": .init(run.counts.failed),
                ]
            })
        object["rules"] = .array(backlogs.map(backlogObject))
        object["rules_with_errors"] = .init(brokenRules)
        return JSONText.encode(.init(object))
    }

    static func backlogObject(_ backlog: RuleBacklog) -> JSONValue {
        let rule = backlog.rule
        let estimate = backlog.clearance
        let lastRun: JSONValue =
            backlog.lastRun.map { run -> JSONValue in
                [
                    "id": .init(run.id), "started_at": .init(run.startedAt), "finished_at": .init(run.finishedAt),
                    "status": .init(run.status.rawValue), "dry_run": .init(run.dryRun), "trigger": .init(run.trigger.rawValue),
                    "exit_code": .init(RuleBacklog.exitCode(status: run.status, failed: run.counts.failed)),
                    "matched": .init(run.counts.matched), "done": .init(run.counts.done), "gone": .init(run.counts.gone),
                    "skipped": .init(run.counts.skipped), "failed": .init(run.counts.failed),
                ]
            } ?? .null
        return [
            "name": .init(rule.name), "action": .init(rule.action.rawValue), "enabled": .init(rule.enabled),
            "schedule": .init(rule.schedule?.text), "last_run": lastRun,
            "next_run": .init(backlog.nextRun), "matches": .init(backlog.matches),
            "runs_needed": .init(backlog.runsNeeded),
            "clearance": [
                "requests_per_thread": .init(estimate.requestsPerThread), "at_least": .init(estimate.perThreadIsMinimum),
                "requests": .init(estimate.requests), "requests_per_second": .init(estimate.requestsPerSecond),
                "seconds": .init(Int(estimate.seconds.rounded(.up))), "requests_in_words": .init(estimate.requestsInWords),
                "in_words": .init(clearanceText(backlog)),
            ],
        ]
    }
}
