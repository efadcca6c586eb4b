/// A process exit status; the values follow sysexits(3) where one fits.
public struct ExitCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }
    public init(_ value: Int32) { self.rawValue = value }

    /// Everything asked for was done.
    public static let success = ExitCode(0)
    /// Some of the work failed (a bad import line, a failed action).
    public static let failure = ExitCode(1)
    /// A guard or breaker refused or aborted the run.
    public static let refused = ExitCode(2)
    /// Bad usage: unknown command or option, missing or bad value (EX_USAGE).
    public static let usage = ExitCode(64)
    /// A bad rule, config or input file (EX_DATAERR).
    public static let dataError = ExitCode(65)
    /// An input file does not exist or cannot be read (EX_NOINPUT).
    public static let noInput = ExitCode(66)
    /// The API is unavailable: breaker open, wrong key, wrong base URL (EX_UNAVAILABLE).
    public static let unavailable = ExitCode(69)
    /// An internal error (EX_SOFTWARE).
    public static let software = ExitCode(70)
    /// An output file cannot be created (EX_CANTCREAT).
    public static let cannotCreate = ExitCode(73)
    /// An I/O error: full disk, read-only file, corrupt ledger (EX_IOERR).
    public static let ioError = ExitCode(74)
    /// Not allowed as this user: root writing the service's ledger, or the service finding a file
    /// in its state another user owns (EX_NOPERM).
    public static let noPermission = ExitCode(77)
    /// A temporary failure such as a lock held by another run (EX_TEMPFAIL).
    public static let temporaryFailure = ExitCode(75)
    /// Interrupted by SIGINT.
    public static let interrupted = ExitCode(130)
    /// Stopped by SIGTERM.
    public static let terminated = ExitCode(143)

    public var description: String { String(rawValue) }

    /// The exit codes most commands share, for `--help`.
    public static let standardMeanings: [(code: ExitCode, meaning: String)] = [
        (.success, "success"),
        (.failure, "some of the work failed"),
        (.usage, "bad usage: unknown command or option, missing or bad value"),
        (.dataError, "a bad rule, config or input file"),
        (.noInput, "an input file is missing or unreadable"),
        (.ioError, "an I/O error: unreadable, corrupt or full ledger"),
    ]
}
