import CommandLineKit
import Executor
import Foundation
import JSON
import Ledger
import Rules

/// `threadkeeper run RULE…`: carry out rules now.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run rules now: plan, guard, verify, archive, act through the API, record every outcome.",
        discussion: """
            RULE is a rule name from the rules directory or a path to a .rule file; several run one \
            after another. Each run first reconciles actions an interrupted run of the rule left \
            open, takes the rule's lock in the ledger, applies MaxThreads= (oldest first) and \
            MaxFraction= (refusing the whole run unless --force), and skips held threads. Before a \
            delete, tag or untag it fetches the thread and re-checks the rule (Verify=); with \
            Archive=yes it saves the thread and its messages first. Every action is written to the \
            ledger before its call and its outcome after. --plan ID acts only on a plan saved by \
            'threadkeeper plan RULE --save' and refuses if the rule file changed since. A \
            destructive run asks for confirmation on a terminal; without one it needs --yes. \
            SIGINT or SIGTERM stops taking new work, lets the calls in flight finish, records every \
            outcome and exits 130 or 143; a second signal exits at once.
            """,
        options: [
            OptionSpec.flag("--dry-run", help: "Plan and guard, record the run, call nothing."),
            OptionSpec.flag("--yes", "-y", help: "Do not ask for confirmation (needed without a terminal)."),
            OptionSpec("--limit", value: "N", help: "Act on at most N threads (oldest first), on top of MaxThreads=."),
            OptionSpec.flag("--force", help: "Run although MaxFraction= would refuse it."),
            OptionSpec("--plan", value: "ID", help: "Act only on the threads of the saved plan ID."),
            APIOptions.baseURL,
            OptionSpec.flag("--json", help: "Print the summary as a JSON object."),
        ],
        positionals: [
            PositionalSpec(
                "RULE", optional: true, variadic: true,
                help: "Rule names in the rules directory or paths to .rule files (optional with --plan).")
        ],
        examples: [
            ("threadkeeper run support-30d --dry-run", "plan and record a run, call nothing"),
            ("systemctl start threadkeeper-run@support-30d", "a real run as the service's user, waiting until it ends"),
            ("threadkeeper run --plan 12 --yes", "act only on the threads of a saved plan"),
        ],
        exitCodes: [
            (.success, "every action succeeded (or was skipped on purpose)"),
            (.failure, "some actions failed"),
            (.refused, "a guard refused the run or the breaker aborted it; the remaining threads are untouched"),
            (.usage, "bad usage; a destructive run without a terminal needs --yes"),
            (.dataError, "a bad rule or config file, an unknown rule or plan, or a rule changed since its plan"),
            (
                .unavailable,
                "the API is unavailable: no key, refused key, a failed probe, an answer not from the Threads API, or no answer while reconciling"
            ),
            (
                .ioError,
                "the ledger cannot be written (full disk, read-only), or Archive=yes and the archive directory cannot be; no call was sent after that"
            ),
            (.noPermission, "run as root on the service's ledger; the message gives the command to use"),
            (.temporaryFailure, "the rule is already running in another process"),
            (.interrupted, "stopped by SIGINT"),
            (.terminated, "stopped by SIGTERM"),
        ])

    var ruleArguments: [String]
    var dryRun: Bool
    var yes: Bool
    var limit: Int?
    var force: Bool
    var planID: Int64?
    var baseURL: String?
    var json: Bool

    init(arguments: ParsedArguments) throws {
        ruleArguments = arguments.positionals
        dryRun = arguments.flag("--dry-run")
        yes = arguments.flag("--yes")
        limit = try arguments.integer("--limit", minimum: 1)
        force = arguments.flag("--force")
        planID = try arguments.integer("--plan", minimum: 1).map(Int64.init)
        baseURL = arguments.value("--base-url")
        json = arguments.flag("--json")
    }

    func validate() throws {
        if planID == nil, ruleArguments.isEmpty {
            throw UsageError("missing argument RULE (or --plan ID)", command: "threadkeeper run")
        }
        if planID != nil, ruleArguments.count > 1 {
            throw UsageError("--plan applies to one rule; give at most one RULE with it", command: "threadkeeper run")
        }
    }

    func run(_ context: CommandContext) async throws -> ExitCode {
        let setup = try RunSetup.load(context)
        var rules: [Rule] = []
        if let planID {
            guard let plan = try setup.ledger.plan(id: planID) else { throw ExecutorError.unknownPlan(planID) }
            rules.append(try setup.rule(ruleArguments.first ?? plan.ruleFile, context))
        } else {
            for argument in ruleArguments { rules.append(try setup.rule(argument, context)) }
        }
        let logger = context.makeLogger()
        let executor = try setup.executor(context, baseURL: baseURL, logger: logger)
        let control = RunControl()
        let signals = await RunSignals.install(control, context)
        defer { signals.cancel() }
        let (reports, exit) = try await runAll(rules, setup: setup, executor: executor, control: control, context)
        MetricsPublisher.publish(
            configuration: setup.configuration, rulesDirectory: context.rulesDirectory(for: setup.configuration),
            ledger: setup.ledger, requests: executor.client.requestCounts, warn: context.warn)
        if json { context.print(try Self.json(reports)) }
        return exit
    }

    private func runAll(
        _ rules: [Rule], setup: RunSetup, executor: Executor, control: RunControl, _ context: CommandContext
    ) async throws -> ([RunReport], ExitCode) {
        let interactive = isatty(STDIN_FILENO) == 1 && context.standardError.isTerminal
        var reports: [RunReport] = []
        var exit = ExitCode.success
        for rule in rules {
            let request = RunRequest(
                rule: rule, trigger: .manual, dryRun: dryRun, force: force, limit: limit, planID: planID, hold: setup.hold)
            if rule.action.changesThreads, !dryRun, !yes {
                guard interactive else {
                    throw UsageError(
                        "rule '\(rule.name)' changes threads (\(rule.action.rawValue)); without a terminal to confirm on, pass --yes",
                        command: "threadkeeper run")
                }
                let plan = try Planner.plan(request, ledger: setup.ledger, now: setup.now, sampleSize: 0)
                if plan.refusal == nil {
                    guard confirm(rule: rule, count: plan.planned, context) else {
                        context.warn("not confirmed; nothing was done for rule '\(rule.name)'")
                        continue
                    }
                }
            }
            let printer = RunProgressPrinter(output: context.standardError, isTerminal: context.standardError.isTerminal)
            let report = try await executor.run(request, control: control) { printer.update($0) }
            printer.finish()
            reports.append(report)
            if !json { printSummary(report, context) }
            exit = Self.worse(exit, Self.exitCode(for: report))
            if case .stopped = report.end { break }
        }
        return (reports, exit)
    }

    private func confirm(rule: Rule, count: Int, _ context: CommandContext) -> Bool {
        context.standardError.write(
            "\(rule.action.rawValue) \(count) thread\(count == 1 ? "" : "s") matched by rule '\(rule.name)'? [y/N] ")
        context.standardError.flush()
        guard let answer = readLine(strippingNewline: true)?.lowercased() else { return false }
        return answer == "y" || answer == "yes"
    }

    private func printSummary(_ report: RunReport, _ context: CommandContext) {
        let counts = report.counts
        let run = report.runID.map { "run \($0)" } ?? "no run"
        let end: String
        switch report.end {
        case .completed:
            if report.dryRun {
                end = "dry run: nothing was called"
            } else if report.status == .failed {
                end =
                    "failed: \(counts.failed) of \(report.planned) actions failed; the first: \(report.firstFailure ?? "see 'threadkeeper audit'")"
            } else {
                end = "completed"
            }
        case .refused(let reason): end = "refused: \(reason)"
        case .aborted(let reason): end = "aborted: \(reason)"
        case .stopped(let signal): end = "stopped by \(signal == .interrupt ? "SIGINT" : "SIGTERM")"
        }
        context.print("\(report.rule) (\(report.action)), \(run): \(end)")
        let rows: [(String, String)] = [
            ("matched", String(report.matched)), ("planned", String(report.planned)), ("done", String(counts.done)),
            ("gone", String(counts.gone)), ("skipped", String(counts.skipped)), ("failed", String(counts.failed)),
            ("left open", String(report.leftOpen)), ("not started", String(Self.notStarted(report))),
            ("archived", String(report.archived)), ("reconciled", String(report.reconciled)),
            (
                "rate",
                report.elapsed > 0
                    ? String(
                        format: "%.1f threads/s with an outcome (done, gone, skipped, failed) over %.1f s",
                        Double(counts.done + counts.gone + counts.skipped + counts.failed) / report.elapsed, report.elapsed)
                    : "-"
            ),
        ]
        for (name, value) in rows { context.print("  \(name.padding(toLength: 11, withPad: " ", startingAt: 0)) \(value)") }
    }

    /// Planned threads a stop left untouched: no intent was written for them.
    static func notStarted(_ report: RunReport) -> Int {
        let counts = report.counts
        return max(0, report.planned - counts.done - counts.gone - counts.skipped - counts.failed - report.leftOpen)
    }

    static func exitCode(for report: RunReport) -> ExitCode {
        switch report.end {
        case .completed: report.counts.failed > 0 || report.status == .failed ? .failure : .success
        case .refused: .refused
        case .aborted: report.apiUnavailable ? .unavailable : .refused
        case .stopped(let reason): reason == .interrupt ? .interrupted : .terminated
        }
    }

    /// The exit code of several runs: a signal wins, then a guard or breaker, then failures.
    static func worse(_ a: ExitCode, _ b: ExitCode) -> ExitCode {
        let order: [ExitCode] = [.success, .failure, .refused, .unavailable, .interrupted, .terminated]
        return (order.firstIndex(of: b) ?? 0) > (order.firstIndex(of: a) ?? 0) ? b : a
    }

    static func json(_ reports: [RunReport]) throws -> String {
        let runs: [JSONValue] = reports.map { report in
            var object: [String: JSONValue] = [
                "rule": .init(report.rule), "action": .init(report.action), "dry_run": .init(report.dryRun),
                "status": .init(report.status.rawValue), "matched": .init(report.matched), "planned": .init(report.planned),
                "done": .init(report.counts.done), "gone": .init(report.counts.gone), "skipped": .init(report.counts.skipped),
                "failed": .init(report.counts.failed), "left_open": .init(report.leftOpen), "not_started": .init(notStarted(report)),
                "archived": .init(report.archived), "reconciled": .init(report.reconciled),
                "elapsed_seconds": .init(report.elapsed), "exit_code": .init(Int(exitCode(for: report).rawValue)),
            ]
            object["run_id"] = .init(report.runID)
            switch report.end {
            case .completed: object["reason"] = .init(report.firstFailure)
            case .refused(let reason), .aborted(let reason): object["reason"] = .init(reason)
            case .stopped(let signal): object["reason"] = signal == .interrupt ? "SIGINT" : "SIGTERM"
            }
            return .init(object)
        }
        return JSONText.encode(["runs": .array(runs)])
    }
}
