/// A JSON number as its text, so nothing is rounded on the way through.
///
/// Equal when written the same: `1`, `1.0` and `1e0` are three numbers here, as they are to
/// the API's validation (an integer where a decimal is allowed, and so on).
public struct JSONNumber: Sendable, Hashable, CustomStringConvertible {
    /// The number as RFC 8259 writes it, e.g. `12`, `-2.5e3`.
    public let text: String

    /// A number whose text the parser has already checked.
    init(validated text: String) { self.text = text }

    public init(_ value: Int64) { text = String(value) }

    /// A double's number in Swift's shortest round-trip form without a trailing `.0` (`3`,
    /// `0.1`, `1e+16`), as Foundation's JSON serialization wrote it; nil for infinities and NaN.
    public init?(_ value: Double) {
        guard value.isFinite else { return nil }
        var text = String(value)
        if text.hasSuffix(".0") { text.removeLast(2) }
        self.text = text
    }

    /// The value when written as an integer that fits 64 bits (`12`, not `12.0` or `1e3`).
    public var int64Value: Int64? { Int64(text) }

    /// The value as the nearest double.
    public var doubleValue: Double { Double(text) ?? .nan }

    public var description: String { text }
}

extension JSONNumber: ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral {
    public init(integerLiteral value: Int64) { self.init(value) }

    /// A literal is finite, so this cannot fail.
    public init(floatLiteral value: Double) {
        guard let number = JSONNumber(value) else { preconditionFailure("a float literal is finite") }
        self = number
    }
}

extension JSONNumber {
    /// A number from its text, nil unless the text is one JSON number (`12`, `-2.5e3`).
    public init?(text: String) {
        guard case .number(let number)? = try? JSONParser.parse(text), number.text == text else { return nil }
        self = number
    }
}
