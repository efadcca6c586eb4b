/// What a `CommandLineTool` hands each command it runs: the process's outputs and environment,
/// plus what the tool's own commands share (an option group, for instance).
///
/// The framework needs only the members here; a tool's context type adds the rest.
public protocol ToolContext: Sendable {
    /// The tool's name, set by `CommandLineTool.run` before a command runs.
    var toolName: String { get set }
    var environment: [String: String] { get }
    var standardOutput: TextOutput { get }
    var standardError: TextOutput { get }
    /// Options every command of the tool accepts anywhere after its name (for a command whose
    /// configuration `acceptsSharedOptions`); listed by `--help`.
    static var sharedOptions: [OptionSpec] { get }
    /// Takes the values of `sharedOptions` from one invocation, before the command is built.
    mutating func readSharedOptions(_ arguments: ParsedArguments)
    /// Put before the line of an error that ends the command (a syslog priority prefix such as
    /// `<3>` when stderr is read by journald; empty by default).
    var errorPrefix: String { get }
}

extension ToolContext {
    public static var sharedOptions: [OptionSpec] { [] }

    public mutating func readSharedOptions(_ arguments: ParsedArguments) {}

    public var errorPrefix: String { "" }

    /// Prints a line to stdout.
    public func print(_ text: String) { standardOutput.line(text) }

    /// Prints a diagnostic line to stderr, prefixed with the tool name.
    public func warn(_ text: String) { standardError.line("\(toolName): \(text)") }
}
