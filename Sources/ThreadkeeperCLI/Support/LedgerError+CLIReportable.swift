import CommandLineKit
import Ledger

/// A ledger error is one line naming the path and the cause, and a sysexits code.
extension LedgerError: CLIReportable {
    public var cliMessage: String { message }

    public var exitCode: ExitCode {
        switch kind {
        case .inputUnavailable: return .noInput
        case .badInput, .invalidArgument: return .dataError
        case .busy: return .temporaryFailure
        case .notADatabase, .corrupt, .newerSchema, .readOnly, .full, .cannotOpen, .io, .constraint, .sqlite:
            return .ioError
        }
    }
}
