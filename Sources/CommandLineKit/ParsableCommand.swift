/// A command of a `CommandLineTool`.
///
/// As in swift-argument-parser: a struct with a static `configuration`, built from the
/// parsed arguments, checked by `validate()` before `run(_:)` is called. `Context` is what
/// the tool hands its commands (for `threadkeeper`, its `CommandContext`).
public protocol ParsableCommand<Context>: Sendable {
    associatedtype Context: ToolContext
    static var configuration: CommandConfiguration { get }
    /// Reads typed fields from the arguments; throws `UsageError` for a bad value.
    init(arguments: ParsedArguments) throws
    /// Checks combinations of fields; throws `UsageError`.
    func validate() throws
    /// Does the work and says how the process should exit.
    func run(_ context: Context) async throws -> ExitCode
}

extension ParsableCommand {
    public func validate() throws {}
}
