import CommandLineKit
import Executor

/// A run that cannot start or go on: a held lock is a temporary failure (75), a bad plan bad
/// input (65), an API that cannot reconcile unavailable (69), a ledger that refuses writes an I/O error (74).
extension ExecutorError: CLIReportable {
    public var cliMessage: String { description }

    public var exitCode: ExitCode {
        switch self {
        case .lockHeld: .temporaryFailure
        case .unknownPlan, .planOutdated, .planForOtherRule: .dataError
        case .reconciliationFailed, .probeFailed, .objectNotServed: .unavailable
        case .ledger(let error): error.exitCode
        case .archiveUnwritable: .ioError
        }
    }
}

/// An archive that cannot be read: missing (66) or damaged, unreadable or open to others (74);
/// an answer of the API that cannot be archived as received (69: what answers is not behaving
/// as the API).
extension ArchiveError: CLIReportable {
    public var cliMessage: String { description }

    public var exitCode: ExitCode {
        switch self {
        case .notFound: .noInput
        case .io, .damaged, .exposed: .ioError
        case .unarchivable: .unavailable
        }
    }
}
