import CommandLineKit
import Foundation
import Journal

/// What a running command can see of its process: shared options, environment, outputs.
public struct CommandContext: ToolContext {
    public var toolName: String
    public var shared: SharedOptions
    public var environment: [String: String]
    public var standardOutput: TextOutput
    public var standardError: TextOutput

    public init(
        toolName: String = "threadkeeper", shared: SharedOptions = SharedOptions(),
        environment: [String: String] = ProcessInfo.processInfo.environment,
        standardOutput: TextOutput = .standardOutput, standardError: TextOutput = .standardError
    ) {
        self.toolName = toolName
        self.shared = shared
        self.environment = environment
        self.standardOutput = standardOutput
        self.standardError = standardError
    }

    public static var sharedOptions: [OptionSpec] { SharedOptions.specs }

    public mutating func readSharedOptions(_ arguments: ParsedArguments) { shared = SharedOptions(arguments) }

    /// `<3>` (err) when stderr is the service's journal stream: a command's fatal error is then
    /// an err entry (`journalctl -p err`, `systemctl status`), not an info line.
    public var errorPrefix: String { JournalStream.prefix(3, environment: environment) }
}

extension CommandLineTool where Context == CommandContext {
    /// Runs argv (without the program name) in this process's context.
    public func run(_ arguments: [String]) async -> ExitCode {
        await run(arguments, context: CommandContext())
    }
}
