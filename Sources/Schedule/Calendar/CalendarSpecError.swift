/// Why a text is not a systemd calendar event.
public struct CalendarSpecError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, naming the offending part.
    public enum Reason: Sendable, Hashable {
        case empty
        case badWeekday(String)
        case badDate(String)
        case badTime(String)
        case badNumber(String)
        case zeroRepetition(String)
        case outOfRange(field: String, value: String)
        case unknownTimeZone(String)
        case unexpected(String)
        case tooManyComponents
    }

    /// The expression that was parsed.
    public var value: String
    public var reason: Reason

    public init(value: String, reason: Reason) {
        self.value = value
        self.reason = reason
    }

    public var description: String {
        let hint = "write `DOW YYYY-MM-DD HH:MM:SS [ZONE]` (e.g. `Mon..Fri *-*-* 03:00 UTC`) or a shorthand like `daily`"
        switch reason {
        case .empty:
            return "empty calendar expression: \(hint)"
        case .badWeekday(let part):
            return "bad weekday `\(part)` in calendar expression `\(value)`: use Mon…Sun, lists `Sat,Sun` or ranges `Mon..Fri`"
        case .badDate(let part):
            return "bad date `\(part)` in calendar expression `\(value)`: \(hint)"
        case .badTime(let part):
            return "bad time `\(part)` in calendar expression `\(value)`: use HH:MM or HH:MM:SS"
        case .badNumber(let part):
            return "bad number `\(part)` in calendar expression `\(value)`: use digits, `*`, `a,b`, `a..b` or `a/b`"
        case .zeroRepetition(let part):
            return "repetition `\(part)` in calendar expression `\(value)` is zero: repeat by at least 1"
        case .outOfRange(let field, let part):
            return "\(field) `\(part)` in calendar expression `\(value)` is out of range or repeats past its end"
        case .unknownTimeZone(let zone):
            return "unknown time zone `\(zone)` in calendar expression `\(value)`: use UTC or an IANA name like Europe/Berlin"
        case .unexpected(let part):
            return "unexpected `\(part)` in calendar expression `\(value)`: \(hint)"
        case .tooManyComponents:
            return "calendar expression `\(value)` has too many list elements: keep each field under 240"
        }
    }
}
