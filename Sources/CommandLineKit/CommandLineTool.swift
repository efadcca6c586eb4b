import Foundation
import UnitFile

/// Dispatches argv to a command, prints help and errors, and turns the outcome into an exit code.
public struct CommandLineTool<Context: ToolContext>: Sendable {
    public var name: String
    /// What `--version` prints after the name.
    public var version: String
    public var abstract: String
    public var discussion: String
    public var commands: [any ParsableCommand<Context>.Type]
    /// A tool with a single command (like `threadkeeper-emulator`) parses argv as that command.
    public var singleCommand: (any ParsableCommand<Context>.Type)?
    /// Command lines the tool's `--help` shows under EXAMPLES.
    public var examples: [(command: String, what: String)]
    /// Every exit code of the tool with its meaning, for the tool's `--help`.
    public var exitCodes: [(code: ExitCode, meaning: String)]

    public init(
        name: String, version: String, abstract: String, discussion: String = "",
        commands: [any ParsableCommand<Context>.Type] = [], singleCommand: (any ParsableCommand<Context>.Type)? = nil,
        examples: [(command: String, what: String)] = [], exitCodes: [(code: ExitCode, meaning: String)] = []
    ) {
        self.examples = examples
        self.name = name
        self.version = version
        self.abstract = abstract
        self.discussion = discussion
        self.commands = commands
        self.singleCommand = singleCommand
        self.exitCodes = exitCodes
    }

    /// Runs argv (without the program name) in `context` and returns the exit code; never throws.
    public func run(_ arguments: [String], context base: Context) async -> ExitCode {
        var context = base
        context.toolName = name
        defer {
            context.standardOutput.flush()
            context.standardError.flush()
        }
        let (commandType, rest, path): (any ParsableCommand<Context>.Type, [String], String)
        if let singleCommand {
            if arguments.contains("--version") {
                context.print("\(name) \(version)")
                return .success
            }
            (commandType, rest, path) = (singleCommand, arguments, name)
        } else {
            switch resolve(arguments) {
            case .help:
                context.standardOutput.write(toolHelp())
                return .success
            case .groupHelp(let group):
                context.standardOutput.write(groupHelp(group))
                return .success
            case .version:
                context.print("\(name) \(version)")
                return .success
            case .unknown(let message):
                context.standardError.line("\(name): \(message)")
                context.standardError.line("Usage: \(name) <command> [<options>]")
                context.standardError.line("See '\(name) --help'.")
                return .usage
            case .command(let type, let remaining):
                (commandType, rest, path) = (type, remaining, "\(name) \(type.configuration.commandName)")
            }
        }
        let configuration = commandType.configuration
        do {
            let parsed = try ArgumentParser.parse(
                rest, configuration: configuration, commandPath: path, sharedOptions: Context.sharedOptions)
            if parsed.flag("--help") {
                context.standardOutput.write(
                    HelpFormatter.help(tool: singleCommand == nil ? name : "", configuration, sharedOptions: Context.sharedOptions))
                return .success
            }
            context.readSharedOptions(parsed)
            return try await Self.run(commandType, parsed, context)
        } catch let error as UsageError {
            context.standardError.line("\(context.errorPrefix)\(path): \(error.message)")
            context.standardError.line(HelpFormatter.usageLine(tool: singleCommand == nil ? name : "", configuration))
            context.standardError.line("See '\(path) --help'.")
            return .usage
        } catch let error as CLIReportable {
            context.standardError.line("\(context.errorPrefix)\(path): \(error.cliMessage)")
            return error.exitCode
        } catch is CancellationError {
            context.standardError.line("\(path): interrupted")
            return .interrupted
        } catch {
            context.standardError.line("\(context.errorPrefix)\(path): \(String(describing: error))")
            return .failure
        }
    }

    /// Builds, validates and runs one command (generic, so the existential `type` is opened).
    private static func run<Command: ParsableCommand<Context>>(
        _ type: Command.Type, _ arguments: ParsedArguments, _ context: Context
    ) async throws -> ExitCode {
        let command = try type.init(arguments: arguments)
        try command.validate()
        return try await command.run(context)
    }

    private enum Resolution {
        case help, version, unknown(String)
        /// `archive --help`, `archive help`, `help archive`: the subcommands of a group.
        case groupHelp(String)
        case command(any ParsableCommand<Context>.Type, [String])
    }

    private func resolve(_ arguments: [String]) -> Resolution {
        guard let first = arguments.first else { return .help }
        if first == "--help" || first == "-h" || first == "help" && arguments.count == 1 { return .help }
        if first == "--version" { return .version }
        if first == "help", arguments.count > 1 {
            return resolve(Array(arguments.dropFirst()) + ["--help"])
        }
        if first.hasPrefix("-") {
            return .unknown("unknown option '\(first)' before the command; options go after the command name")
        }
        // Two-word commands such as `archive show` win over one-word ones.
        if arguments.count >= 2 {
            let twoWords = "\(first) \(arguments[1])"
            if let type = commands.first(where: { $0.configuration.commandName == twoWords }) {
                return .command(type, Array(arguments.dropFirst(2)))
            }
        }
        if let type = commands.first(where: { $0.configuration.commandName == first }) {
            return .command(type, Array(arguments.dropFirst()))
        }
        let groups = commands.map { $0.configuration.commandName }.filter { $0.hasPrefix(first + " ") }
        if !groups.isEmpty, arguments.count >= 2, ["--help", "-h", "help"].contains(arguments[1]) {
            return .groupHelp(first)
        }
        if !groups.isEmpty {
            let rest = arguments.count >= 2 ? "'\(arguments[1])'" : "nothing"
            return .unknown("'\(first)' needs a subcommand (got \(rest)); use one of: \(groups.joined(separator: ", "))")
        }
        let names = commands.map { $0.configuration.commandName.split(separator: " ").first.map(String.init) ?? "" }
        let hint = Spelling.nearest(to: first, among: names).map { "; did you mean '\($0)'?" } ?? ""
        return .unknown("unknown command '\(first)'\(hint)")
    }

    func groupHelp(_ group: String) -> String {
        let members = commands.filter { $0.configuration.commandName.hasPrefix(group + " ") }
        var out = "USAGE: \(name) \(group) <subcommand> [<options>]\n\nSUBCOMMANDS:\n"
        out += HelpFormatter.table(members.map { ($0.configuration.commandName, $0.configuration.abstract) })
        out += "\nSee '\(name) \(group) <subcommand> --help' for each one's options.\n"
        return out
    }

    func toolHelp() -> String {
        var out = "OVERVIEW: \(abstract)\n"
        if !discussion.isEmpty { out += "\n\(discussion)\n" }
        out += "\nUSAGE: \(name) <command> [<options>]\n\nCOMMANDS:\n"
        out += HelpFormatter.table(commands.map { ($0.configuration.commandName, $0.configuration.abstract) })
        out += "\nOPTIONS:\n"
        out += HelpFormatter.table([
            ("-h, --help", "Show this help; '\(name) COMMAND --help' shows a command's."),
            ("--version", "Print the version and exit."),
        ])
        if !Context.sharedOptions.isEmpty {
            out += "\nSHARED OPTIONS (accepted by every command, anywhere after its name):\n"
            out += HelpFormatter.table(Context.sharedOptions.map(HelpFormatter.optionRow))
        }
        if !examples.isEmpty { out += "\nEXAMPLES:\n" + HelpFormatter.examples(examples) }
        if !exitCodes.isEmpty {
            out += "\nEXIT CODES:\n"
            out += HelpFormatter.table(exitCodes.map { ("\($0.code.rawValue)", $0.meaning) })
        }
        return out
    }
}
