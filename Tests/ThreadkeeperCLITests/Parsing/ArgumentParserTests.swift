import Testing

@testable import CommandLineKit
@testable import ThreadkeeperCLI

struct ArgumentParserTests {
    static let configuration = CommandConfiguration(
        commandName: "demo", abstract: "A demo.",
        options: [
            OptionSpec.flag("--json", help: "JSON."),
            OptionSpec("--format", value: "FORMAT", allowed: ["csv", "jsonl"], help: "Format."),
            OptionSpec("--metadata", value: "K=V", repeatable: true, help: "Metadata."),
            OptionSpec("--limit", value: "N", help: "Limit."),
        ],
        positionals: [PositionalSpec("FILE", optional: true, help: "Input.")])

    func parse(_ arguments: [String]) throws -> ParsedArguments {
        try ArgumentParser.parse(
            arguments, configuration: Self.configuration, commandPath: "threadkeeper demo",
            sharedOptions: SharedOptions.specs)
    }

    @Test func sharedOptionsStandBeforeOrAfterPositionals() throws {
        let before = try parse(["--ledger", "/l", "--config=/c", "in.jsonl", "--rules", "/r"])
        #expect(before.positionals == ["in.jsonl"])
        #expect(SharedOptions(before) == SharedOptions(configPath: "/c", ledgerPath: "/l", rulesDirectory: "/r"))
    }

    @Test func repeatableOptionsKeepEveryValueInOrder() throws {
        let parsed = try parse(["--metadata", "a=1", "--metadata=b=2"])
        #expect(parsed.values("--metadata") == ["a=1", "b=2"])
    }

    @Test func doubleDashEndsOptions() throws {
        let parsed = try parse(["--", "--json"])
        #expect(parsed.positionals == ["--json"])
        #expect(!parsed.flag("--json"))
    }

    @Test(arguments: [
        (["--jsn"], "unknown option '--jsn'; did you mean '--json'?"),
        (["--format"], "option '--format' needs a value (FORMAT)"),
        (["--format", "xml"], "option '--format' does not accept 'xml'; use one of: csv, jsonl"),
        (["--json=yes"], "option '--json' takes no value"),
        (["a", "b"], "unexpected argument 'b'"),
    ])
    func badUsageNamesTheCulprit(arguments: [String], message: String) {
        #expect(throws: UsageError(message, command: "threadkeeper demo")) { try parse(arguments) }
    }

    @Test func integerOptionsAreChecked() throws {
        #expect(try parse(["--limit", "5"]).integer("--limit", minimum: 1) == 5)
        #expect(throws: UsageError("option '--limit' expects a whole number, got 'five'", command: "threadkeeper demo")) {
            try parse(["--limit", "five"]).integer("--limit")
        }
        #expect(throws: UsageError("option '--limit' must be at least 1, got '0'", command: "threadkeeper demo")) {
            try parse(["--limit", "0"]).integer("--limit", minimum: 1)
        }
    }

    @Test func aFarOffOptionGetsNoSuggestion() {
        #expect(throws: UsageError("unknown option '--zzzzzz'", command: "threadkeeper demo")) { try parse(["--zzzzzz"]) }
    }
}
