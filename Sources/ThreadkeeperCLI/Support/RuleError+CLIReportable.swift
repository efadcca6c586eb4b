import CommandLineKit
import Rules

/// Bad rule or config files: every finding, one a line, exit 65.
extension RuleError: CLIReportable {
    public var cliMessage: String {
        let count = diagnostics.count
        let heading = count == 1 ? "1 error in rule or config files:" : "\(count) errors in rule or config files:"
        return ([heading] + diagnostics.map(\.description)).joined(separator: "\n")
    }

    public var exitCode: ExitCode { .dataError }
}
