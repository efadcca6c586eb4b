/// One SQLite value, as bound to a statement or read from a column.
///
/// SQLite has five storage classes; this enum is them, so nothing is lost in either
/// direction. Bound values never appear in an `SQLiteError`.
public enum SQLiteValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])

    /// The integer, or nil for any other storage class.
    public var integerValue: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }

    /// The text, or nil for any other storage class.
    public var textValue: String? {
        if case .text(let value) = self { return value }
        return nil
    }

    /// The number as a double for `.integer` and `.real`, else nil.
    public var realValue: Double? {
        switch self {
        case .integer(let value): return Double(value)
        case .real(let value): return value
        default: return nil
        }
    }

    /// Whether this is SQL NULL.
    public var isNull: Bool { self == .null }
}

extension SQLiteValue: ExpressibleByIntegerLiteral, ExpressibleByStringLiteral, ExpressibleByNilLiteral {
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(stringLiteral value: String) { self = .text(value) }
    public init(nilLiteral: ()) { self = .null }
}

extension SQLiteValue {
    /// `.integer` for a value, `.null` for nil.
    public init(_ value: Int64?) { self = value.map { .integer($0) } ?? .null }

    /// `.integer` for a value, `.null` for nil.
    public init(_ value: Int?) { self = value.map { .integer(Int64($0)) } ?? .null }

    /// `.text` for a value, `.null` for nil.
    public init(_ value: String?) { self = value.map { .text($0) } ?? .null }

    /// `.integer(1)` or `.integer(0)`: SQLite has no boolean type.
    public init(_ value: Bool) { self = .integer(value ? 1 : 0) }
}
