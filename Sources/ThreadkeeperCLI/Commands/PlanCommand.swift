import CommandLineKit
import Executor
import Foundation
import JSON
import Ledger

/// `threadkeeper plan RULE`: what a run would do now, without calling the API.
struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show what a run of a rule would do now: matches, guard verdicts, a sample with reasons.",
        discussion: """
            RULE is a rule name from the rules directory or a path to a .rule file. The plan reads \
            only the ledger: it counts the threads the rule matches, their share of the live \
            inventory, what MaxThreads=, MaxFraction= and the hold key do to the run, and shows the \
            oldest threads it would act on with the reason each matches. --save freezes the exact \
            set of threads with the rule file's digest and prints the plan's id; 'threadkeeper run \
            RULE --plan ID' then acts on those threads only, and refuses if the rule file changed.
            """,
        options: [
            OptionSpec.flag("--save", help: "Freeze the thread set as a plan in the ledger and print its id."),
            OptionSpec("--limit", value: "N", help: "Plan at most N threads (oldest first), on top of MaxThreads=."),
            OptionSpec("--sample", value: "N", help: "How many threads to show (default 10)."),
            OptionSpec.flag("--json", help: "Print a JSON object."),
        ],
        positionals: [PositionalSpec("RULE", help: "A rule name in the rules directory, or a path to a .rule file.")],
        examples: [
            ("threadkeeper plan support-30d", "the guards' verdicts and a sample of the threads the rule would touch"),
            ("threadkeeper plan support-30d --save", "freeze the plan; 'threadkeeper run --plan ID' acts on exactly those threads"),
        ],
        exitCodes: [
            (.success, "success (also when a guard would refuse the run: the plan shows it)"),
            (.usage, "bad usage"),
            (.dataError, "a bad rule or config file, or an unknown rule"),
            (.ioError, "the ledger is unreadable or cannot be written (--save)"),
        ])

    var ruleArgument: String
    var save: Bool
    var limit: Int?
    var sample: Int
    var json: Bool

    init(arguments: ParsedArguments) throws {
        ruleArgument = arguments.positionals[0]
        save = arguments.flag("--save")
        limit = try arguments.integer("--limit", minimum: 1)
        sample = try arguments.integer("--sample", minimum: 0) ?? 10
        json = arguments.flag("--json")
    }

    func run(_ context: CommandContext) async throws -> ExitCode {
        let setup = try RunSetup.load(context, onlyReads: !save)
        let rule = try setup.rule(ruleArgument, context)
        let request = RunRequest(rule: rule, limit: limit, hold: setup.hold)
        let started = ContinuousClock.now
        let plan = try Planner.plan(request, ledger: setup.ledger, now: setup.now, sampleSize: sample)
        var saved: PlanRecord?
        if save {
            saved = try setup.ledger.savePlan(
                rule: rule.name, ruleDigest: rule.digest, ruleFile: rule.file, query: plan.query, limit: plan.planned)
        }
        let elapsed = ContinuousClock.now - started
        if json {
            context.print(try Self.json(plan, digest: rule.digest, saved: saved))
            return .success
        }
        context.print("rule:      \(rule.name) (\(rule.action.rawValue)) from \(rule.file)")
        context.print("matches:   \(rule.matchSummary(hold: setup.hold))")
        context.print(
            "matched:   \(plan.matched) of \(plan.liveInventory) live threads (\(Planner.formatPercent(plan.fraction * 100)))")
        context.print("would act: \(plan.refusal == nil ? String(plan.planned) : "none, refused")")
        for verdict in plan.verdicts {
            context.print("guard:     \(verdict.name): \(verdict.status.rawValue): \(verdict.detail)")
        }
        if let refusal = plan.refusal { context.print("refused:   \(refusal)") }
        if !plan.sample.isEmpty {
            context.print("oldest \(plan.sample.count):")
            for thread in plan.sample {
                context.print("  \(thread.id)  created \(thread.createdAt.map(TimeFormatting.utc) ?? "unknown")  \(thread.reason)")
            }
        }
        if let saved {
            context.print(
                "saved:     plan \(saved.id) with \(saved.matched) threads; apply with 'threadkeeper run \(rule.name) --plan \(saved.id)'")
        }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        context.print("planned in \(String(format: "%.3f", seconds)) s")
        return .success
    }

    static func json(_ plan: RunPlan, digest: String, saved: PlanRecord?) throws -> String {
        var object: [String: JSONValue] = [
            "rule": .init(plan.rule), "action": .init(plan.action.rawValue), "rule_digest": .init(digest), "now": .init(plan.now),
            "matched": .init(plan.matched), "live": .init(plan.liveInventory), "fraction": .init(plan.fraction),
            "held": .init(plan.held), "planned": .init(plan.refusal == nil ? plan.planned : 0),
            "guards": .array(
                plan.verdicts.map { ["name": .init($0.name), "status": .init($0.status.rawValue), "detail": .init($0.detail)] }),
            "sample": .array(
                plan.sample.map {
                    ["id": .init($0.id), "created_at": .init($0.createdAt), "metadata": .init($0.metadata), "reason": .init($0.reason)]
                }),
        ]
        object["refusal"] = .init(plan.refusal)
        object["plan_id"] = .init(saved?.id)
        return JSONText.encode(.init(object))
    }
}
