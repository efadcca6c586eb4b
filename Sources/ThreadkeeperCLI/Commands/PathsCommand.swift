import CommandLineKit
import Foundation
import JSON

/// `threadkeeper paths`: where the config, rules and ledger are taken from.
struct PathsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "paths",
        abstract: "Print the config, rules and ledger paths this invocation would use.",
        discussion: "Resolves the shared options and the environment the same way every command does.",
        options: [OptionSpec.flag("--json", help: "Print a JSON object.")],
        exitCodes: [(.success, "success"), (.usage, "bad usage")])

    var json: Bool

    init(arguments: ParsedArguments) throws {
        json = arguments.flag("--json")
    }

    func run(_ context: CommandContext) async throws -> ExitCode {
        let configuration = try context.loadConfiguration()
        let paths = [
            ("config", context.configurationPath),
            ("rules", context.rulesDirectory(for: configuration)),
            ("ledger", context.ledgerPath(for: configuration)),
        ]
        if json {
            context.print(JSONText.encode(.object(paths.map { ($0.0, .string($0.1)) })))
        } else {
            for (name, path) in paths { context.print("\(name): \(path)") }
        }
        return .success
    }
}
