/// Why a text is not a systemd time span.
public struct TimeSpanError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public enum Reason: Sendable, Hashable {
        case empty
        case negative
        case unknownUnit(String)
        case malformedNumber
        case tooLarge
        case infinity
    }

    /// The text that was parsed.
    public var value: String
    public var reason: Reason

    public init(value: String, reason: Reason) {
        self.value = value
        self.reason = reason
    }

    public var description: String {
        let hint = "write a span like `30d`, `2w 3d`, `12h`, `1.5h` or `500ms`"
        switch reason {
        case .empty:
            return "empty time span: \(hint)"
        case .negative:
            return "time span `\(value)` is negative: spans are lengths, \(hint)"
        case .unknownUnit(let unit):
            return "unknown unit `\(unit)` in time span `\(value)`: use us, ms, s, min, h, d, w, M or y"
        case .malformedNumber:
            return "malformed number in time span `\(value)`: \(hint)"
        case .tooLarge:
            return "time span `\(value)` is too large: keep it below 292,000 years"
        case .infinity:
            return "time span `\(value)` is infinite: \(hint)"
        }
    }
}
