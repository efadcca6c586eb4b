/// Why a JSON text could not be parsed, and where: the byte offset (0-based), and the line
/// and column (1-based, the column counted in bytes) for a person looking at a file.
public struct JSONSyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Where parsing stopped, as a 0-based byte offset into the input.
    public var offset: Int
    /// The 1-based line of `offset`.
    public var line: Int
    /// The 1-based column of `offset`, in bytes.
    public var column: Int
    /// What was found or expected there: "expected ',' or '}' in an object".
    public var reason: String

    public init(offset: Int, line: Int = 1, column: Int? = nil, reason: String) {
        self.offset = offset
        self.line = line
        self.column = column ?? offset + 1
        self.reason = reason
    }

    /// `REASON at byte N` (1-based), as the import reports a bad line.
    public var description: String { "\(reason) at byte \(offset + 1)" }

    /// `REASON at line L, column C`, for a multi-line document.
    public var locatedDescription: String { "\(reason) at line \(line), column \(column)" }
}

/// What the parser accepts: how deep values nest and how long the text may be.
public struct JSONLimits: Sendable, Hashable {
    /// Arrays and objects nested deeper than this are refused (the parser recurses).
    public var depth: Int
    /// Texts longer than this many bytes are refused before parsing starts.
    public var bytes: Int

    public init(depth: Int = 64, bytes: Int = .max) {
        self.depth = depth
        self.bytes = bytes
    }
}
