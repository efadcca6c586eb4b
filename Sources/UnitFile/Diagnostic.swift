/// A finding about a file, located at a line and column, rendered like a compiler's.
///
/// `file:line:column: error: message` is the layout editors and `grep -n` users already
/// read; lines and columns count from 1, columns in Unicode scalars.
public struct Diagnostic: Sendable, Hashable, CustomStringConvertible {
    public enum Severity: String, Sendable, Hashable, Comparable {
        case warning, error

        public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs == .warning && rhs == .error }
    }

    public var file: String
    public var line: Int
    public var column: Int
    public var severity: Severity
    public var message: String

    public init(file: String, line: Int, column: Int, severity: Severity = .error, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.severity = severity
        self.message = message
    }

    public init(at location: SourceLocation, severity: Severity = .error, _ message: String) {
        self.init(file: location.file, line: location.line, column: location.column, severity: severity, message: message)
    }

    /// `file:line:column: error: message`, or `file: error: message` for the file as a whole (line 0).
    public var description: String {
        line > 0
            ? "\(file):\(line):\(column): \(severity.rawValue): \(message)" : "\(file): \(severity.rawValue): \(message)"
    }

    /// A finding about a whole file or directory rather than a place in it.
    public static func whole(_ file: String, severity: Severity = .error, _ message: String) -> Diagnostic {
        Diagnostic(file: file, line: 0, column: 0, severity: severity, message: message)
    }

    public var isError: Bool { severity == .error }
}

extension Array where Element == Diagnostic {
    /// Whether any finding is an error (warnings alone leave a file valid).
    public var containsErrors: Bool { contains { $0.isError } }

    /// Sorted by file, line and column, the order `check` prints them in.
    public func sortedByLocation() -> [Diagnostic] {
        sorted { ($0.file, $0.line, $0.column) < ($1.file, $1.line, $1.column) }
    }
}

/// A position in a file.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `file:line`, the form provenance is shown in.
    public var description: String { "\(file):\(line)" }
}
