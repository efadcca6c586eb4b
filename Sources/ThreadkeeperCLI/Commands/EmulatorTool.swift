/// The `threadkeeper-emulator` tool: a single command.
public enum EmulatorTool {
    public static let tool = CommandLineTool(
        name: "threadkeeper-emulator",
        abstract: "A local emulator of the Threads API.",
        singleCommand: EmulatorCommand.self)
}
