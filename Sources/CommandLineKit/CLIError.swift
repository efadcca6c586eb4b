/// An error the CLI reports as one line and an exit code, without a stack dump.
///
/// A tool's domain errors (for `threadkeeper`: ledger, rules, API) conform in the tool's module
/// so that each maps to the exit code a script can rely on.
public protocol CLIReportable: Error {
    /// One line, lower-case, naming the file, field or value and saying what to do.
    var cliMessage: String { get }
    var exitCode: ExitCode { get }
}

/// Bad usage: printed with the command's usage line, exit 64.
public struct UsageError: CLIReportable, Equatable {
    public var message: String
    public var commandPath: String
    public init(_ message: String, command commandPath: String = "") {
        self.message = message
        self.commandPath = commandPath
    }
    public var cliMessage: String { message }
    public var exitCode: ExitCode { .usage }
}

/// A plain failure with a chosen exit code, for errors that have no domain type.
public struct CommandFailure: CLIReportable {
    public var cliMessage: String
    public var exitCode: ExitCode
    public init(_ message: String, exitCode: ExitCode = .failure) {
        self.cliMessage = message
        self.exitCode = exitCode
    }
}
