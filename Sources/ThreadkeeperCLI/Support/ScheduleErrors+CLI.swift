import CommandLineKit
import Schedule

extension CalendarSpecError: CLIReportable {
    public var cliMessage: String { description }
    public var exitCode: ExitCode { .dataError }
}

extension TimeSpanError: CLIReportable {
    public var cliMessage: String { description }
    public var exitCode: ExitCode { .dataError }
}

extension TimestampError: CLIReportable {
    public var cliMessage: String { description }
    public var exitCode: ExitCode { .dataError }
}
