import CommandLineKit
import Foundation

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
            let object = Dictionary(uniqueKeysWithValues: paths)
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
            context.print(String(decoding: data, as: UTF8.self))
        } else {
            for (name, path) in paths { context.print("\(name): \(path)") }
        }
        return .success
    }
}
