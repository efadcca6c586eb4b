import CommandLineKit
import Foundation
import JSON
import Ledger
import Rules

/// `threadkeeper rules`: each loaded rule, what it matches, when it runs, how many threads it matches now.
struct RulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "List the loaded rules: action, match in words, schedule, and how many threads match now.",
        discussion: """
            Loads every *.rule file of the rules directory (--rules, else [Rules] Directory=). \
            For each rule that loads, prints its action, a one-line summary of its [Match] section, \
            its schedule and next elapse, and how many threads of the ledger it matches now (holds \
            applied). Files with errors are reported on stderr and left out, as the daemon does.
            """,
        options: [OptionSpec.flag("--json", help: "Print a JSON array, one object per rule.")],
        exitCodes: [
            (.success, "success"), (.usage, "bad usage"), (.dataError, "a rule or the config file has errors"),
            (.noInput, "the --config file does not exist"), (.ioError, "the ledger cannot be read"),
        ])

    var json: Bool

    init(arguments: ParsedArguments) throws {
        json = arguments.flag("--json")
    }

    func run(_ context: CommandContext) async throws -> ExitCode {
        let catalog = try RuleCatalog.load(context)
        var objects: [JSONValue] = []
        for (index, rule) in catalog.rules.enumerated() {
            let compiled = rule.compile(now: catalog.now, hold: catalog.hold)
            let matches = try catalog.ledger?.count(matching: compiled.query)
            let next = catalog.nextElapse(rule, after: catalog.now)
            if json {
                objects.append([
                    "name": .init(rule.name), "file": .init(rule.file), "digest": .init(rule.digest),
                    "action": .init(rule.action.rawValue), "object": .init(rule.match.object.rawValue),
                    "enabled": .init(rule.enabled), "description": .init(rule.description),
                    "match": .init(rule.matchSummary(hold: catalog.hold)), "schedule": .init(rule.schedule?.text),
                    "next_elapse": .init(next.map { TimeFormatting.utc($0) }),
                    "next_elapse_unix": .init(next), "matches": .init(matches),
                ])
                continue
            }
            if index > 0 { context.print("") }
            context.print("\(rule.name) (\(rule.action.rawValue)\(rule.enabled ? "" : ", disabled"))")
            if let description = rule.description { context.print("  \(description)") }
            context.print("  match:    \(rule.matchSummary(hold: catalog.hold))")
            context.print("  schedule: \(catalog.scheduleText(rule))")
            if let matches {
                context.print("  matches:  \(matches) \(rule.match.object.noun)\(matches == 1 ? "" : "s") now")
            } else {
                context.print("  matches:  unknown: no ledger at \(catalog.ledgerPath) (run 'threadkeeper import' first)")
            }
        }
        if json {
            context.print(JSONText.encode(.array(objects)))
        } else if catalog.rules.isEmpty {
            context.standardError.line("no rules loaded from \(context.rulesDirectory(for: catalog.configuration))")
        }
        return catalog.reportFindings(context)
    }
}
