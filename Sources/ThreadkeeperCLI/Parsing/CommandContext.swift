import Foundation

/// What a running command can see of its process: shared options, environment, outputs.
public struct CommandContext: Sendable {
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

    /// Prints a line to stdout.
    public func print(_ text: String) { standardOutput.line(text) }

    /// Prints a diagnostic line to stderr, prefixed with the tool name.
    public func warn(_ text: String) { standardError.line("\(toolName): \(text)") }
}
