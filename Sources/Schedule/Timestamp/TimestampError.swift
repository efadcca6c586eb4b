/// Why a text is not a systemd timestamp.
public struct TimestampError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public enum Reason: Sendable, Hashable {
        case empty
        case unrecognized
        case invalidDate
        case invalidTime
        case weekdayMismatch(expected: String)
        case unknownTimeZone(String)
        case span(TimeSpanError)
        case outOfRange
    }

    /// The text that was parsed.
    public var value: String
    public var reason: Reason

    public init(value: String, reason: Reason) {
        self.value = value
        self.reason = reason
    }

    public var description: String {
        let hint =
            "write `YYYY-MM-DD [HH:MM[:SS]] [ZONE]`, `@UNIX-SECONDS`, `now`, `today`, `yesterday`, `tomorrow`, `-30d` or `+1h`"
        switch reason {
        case .empty:
            return "empty timestamp: \(hint)"
        case .unrecognized:
            return "unrecognized timestamp `\(value)`: \(hint)"
        case .invalidDate:
            return "timestamp `\(value)` names a day that does not exist: check the month and day"
        case .invalidTime:
            return "timestamp `\(value)` has an invalid time of day: use HH:MM or HH:MM:SS (00:00:00–23:59:59)"
        case .weekdayMismatch(let expected):
            return "timestamp `\(value)` gives the wrong weekday: that day is a \(expected)"
        case .unknownTimeZone(let zone):
            return "unknown time zone `\(zone)` in timestamp `\(value)`: use UTC, an offset like +02:00 or an IANA name like Europe/Berlin"
        case .span(let error):
            return "bad relative timestamp `\(value)`: \(error)"
        case .outOfRange:
            return "timestamp `\(value)` is out of range: use a time between 1970 and 9999"
        }
    }
}
