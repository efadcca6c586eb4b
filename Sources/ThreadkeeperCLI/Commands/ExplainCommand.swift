import CommandLineKit
import Foundation
import JSON
import Ledger
import Rules

/// `threadkeeper explain THREAD_ID`: for each rule, whether it matches the thread, why not, and when it would act.
struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Show, rule by rule, whether a thread matches, which condition fails, and when it would act.",
        discussion: """
            Reads the thread from the ledger and checks it against every loaded rule with the same \
            predicate a run uses before acting (holds included). A rule that does not match yet \
            only because of its age or idle time says when it will, if nothing else changes.
            """,
        options: [OptionSpec.flag("--json", help: "Print a JSON object with the thread and one verdict per rule.")],
        positionals: [PositionalSpec("THREAD_ID", help: "The id of a thread the ledger knows.")],
        examples: [
            ("threadkeeper explain thread_abc123", "each rule's verdict on one thread, condition by condition"),
            ("threadkeeper explain thread_abc123 --json", "the same as a JSON object (snake_case keys)"),
        ],
        exitCodes: [
            (.success, "success"), (.usage, "bad usage"), (.dataError, "a rule or the config file has errors"),
            (.noInput, "no ledger, or the ledger does not know the thread"), (.ioError, "the ledger cannot be read"),
        ])

    var threadID: String
    var json: Bool

    init(arguments: ParsedArguments) throws {
        threadID = arguments.positionals[0]
        json = arguments.flag("--json")
    }

    /// One rule's answer for the thread.
    struct Answer {
        var rule: Rule
        var verdict: RuleVerdict
        /// When the rule starts to match if only time passes (nil: matches now, or never by waiting).
        var matchesFrom: Int64?
        /// The run that would act: the next elapse at or after the thread matches.
        var actsAt: Int64?
        var when: String
    }

    func answer(_ rule: Rule, thread: ThreadRecord, catalog: RuleCatalog) -> Answer {
        let compiled = rule.compile(now: catalog.now, hold: catalog.hold)
        let verdict = compiled.evaluate(thread)
        var matchesFrom: Int64?
        if !verdict.matches {
            matchesFrom = Self.matchTime(rule, thread: thread, failing: verdict.failing, catalog: catalog)
        }
        let from = verdict.matches ? catalog.now : matchesFrom
        var actsAt: Int64?
        let when: String
        let verb = rule.action == .report ? "report it" : "\(rule.action.rawValue) it"
        if let from {
            if !rule.enabled {
                when = "never by schedule: Enabled=no"
            } else if rule.schedule == nil {
                when = "only in a run started by hand (no Schedule=)"
            } else if let next = catalog.nextElapse(rule, after: from - 1) {
                actsAt = next
                when = "would \(verb) in the run at \(TimeFormatting.utc(next))"
            } else {
                when = "never: the schedule does not elapse again"
            }
        } else {
            when = "not while the failing conditions hold"
        }
        return Answer(rule: rule, verdict: verdict, matchesFrom: matchesFrom, actsAt: actsAt, when: when)
    }

    /// The first moment the rule matches if the thread stays as it is, when only age or idle time is missing.
    static func matchTime(_ rule: Rule, thread: ThreadRecord, failing: [ConditionResult], catalog: RuleCatalog) -> Int64? {
        var wait: Int64 = 0
        for result in failing {
            switch result.condition.kind {
            // Of unknown age, a thread never grows old enough: no time to name.
            case .createdBefore(let cutoff) where result.condition.origin.hasPrefix("OlderThan="):
                guard let created = thread.createdAt else { return nil }
                wait = max(wait, created - cutoff + 1)
            case .activityBefore(let cutoff):
                guard let activity = thread.lastActivity ?? thread.createdAt else { return nil }
                wait = max(wait, activity - cutoff + 1)
            default:
                return nil
            }
        }
        let time = catalog.now + wait
        return rule.compile(now: time, hold: catalog.hold).evaluate(thread).matches ? time : nil
    }

    func run(_ context: CommandContext) async throws -> ExitCode {
        let catalog = try RuleCatalog.load(context)
        guard let ledger = catalog.ledger else {
            throw CommandFailure("no ledger at '\(catalog.ledgerPath)'; run 'threadkeeper import' first", exitCode: .noInput)
        }
        guard let thread = try ledger.thread(id: threadID) else {
            throw CommandFailure("thread '\(threadID)' is not in the ledger '\(catalog.ledgerPath)'", exitCode: .noInput)
        }
        let answers = catalog.rules.map { answer($0, thread: thread, catalog: catalog) }
        if json {
            try printJSON(context, thread: thread, answers: answers)
        } else {
            printText(context, thread: thread, answers: answers)
        }
        return catalog.reportFindings(context)
    }

    private func printText(_ context: CommandContext, thread: ThreadRecord, answers: [Answer]) {
        let metadata = thread.metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
        context.print(
            "\(thread.id): created \(thread.createdAt.map(TimeFormatting.utc) ?? "unknown (no age condition matches it; run 'threadkeeper sync')"), state \(thread.state.rawValue), source \(thread.source.rawValue)"
        )
        context.print("  last active: \(thread.lastActivity.map(TimeFormatting.utc) ?? "unknown")")
        context.print("  metadata:    \(metadata.isEmpty ? "none" : metadata)")
        for answer in answers {
            context.print("")
            let status = answer.verdict.matches ? "matches" : "does not match"
            context.print("\(answer.rule.name) (\(answer.rule.action.rawValue)): \(status)")
            for result in answer.verdict.results {
                let mark = result.holds ? "ok  " : "FAIL"
                context.print(
                    "  \(mark) \(result.condition.origin): \(result.condition.summary) — \(result.condition.actual(for: thread))")
            }
            if let from = answer.matchesFrom {
                context.print("  matches from \(TimeFormatting.utc(from)) if nothing else changes")
            }
            context.print("  when: \(answer.when)")
        }
        if answers.isEmpty { context.standardError.line("no rules loaded") }
    }

    private func printJSON(_ context: CommandContext, thread: ThreadRecord, answers: [Answer]) throws {
        let object: JSONValue = [
            "thread": [
                "id": .init(thread.id), "created_at": .init(thread.createdAt), "state": .init(thread.state.rawValue),
                "source": .init(thread.source.rawValue), "last_activity": .init(thread.lastActivity),
                "metadata": .init(thread.metadata),
            ],
            "rules": .array(
                answers.map { answer -> JSONValue in
                    [
                        "rule": .init(answer.rule.name), "action": .init(answer.rule.action.rawValue),
                        "matches": .init(answer.verdict.matches),
                        "conditions": .array(
                            answer.verdict.results.map {
                                [
                                    "condition": .init($0.condition.origin), "summary": .init($0.condition.summary),
                                    "holds": .init($0.holds), "actual": .init($0.condition.actual(for: thread)),
                                ]
                            }),
                        "failing": .init(answer.verdict.failing.map(\.condition.origin)),
                        "matches_from": .init(answer.matchesFrom), "acts_at": .init(answer.actsAt), "when": .init(answer.when),
                    ]
                }),
        ]
        context.print(JSONText.encode(object))
    }
}
