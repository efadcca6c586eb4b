import CommandLineKit
import Foundation

/// What the emulator command sees of its process: environment and outputs (no shared options).
public struct EmulatorContext: ToolContext {
    public var toolName = "threadkeeper-emulator"
    public var environment: [String: String]
    public var standardOutput: TextOutput
    public var standardError: TextOutput

    public init(
        environment: [String: String] = ProcessInfo.processInfo.environment, standardOutput: TextOutput = .standardOutput,
        standardError: TextOutput = .standardError
    ) {
        self.environment = environment
        self.standardOutput = standardOutput
        self.standardError = standardError
    }
}
