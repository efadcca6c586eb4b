/// The `threadkeeper-emulator` tool: a single command.
public enum EmulatorTool {
    public static let tool = CommandLineTool(
        name: "threadkeeper-emulator",
        abstract: "A local emulator of the Threads API.",
        singleCommand: EmulatorCommand.self)
}

/// Placeholder until the emulator lands.
struct EmulatorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "", abstract: "Serve an emulated Threads API on loopback.", acceptsSharedOptions: false)
    init(arguments: ParsedArguments) throws {}
    func run(_ context: CommandContext) async throws -> ExitCode {
        throw CommandFailure("the emulator is not built yet", exitCode: .software)
    }
}
