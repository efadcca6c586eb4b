import CommandLineKit
import ThreadsAPI

/// The `threadkeeper-emulator` tool: a single command.
public enum EmulatorTool {
    public static let tool = CommandLineTool<EmulatorContext>(
        name: "threadkeeper-emulator", version: ThreadkeeperVersion.current,
        abstract: "A local emulator of the Threads API.",
        singleCommand: EmulatorCommand.self)
}
