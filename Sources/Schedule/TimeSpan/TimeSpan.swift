/// A length of time in systemd.time(7) span syntax, with microsecond resolution.
///
/// Parsing follows systemd's `parse_sec()`: numbers with optional decimals, each followed by an
/// optional unit (`usec`/`us`/`µs`, `msec`/`ms`, `seconds`/`second`/`sec`/`s`, `minutes`/`minute`/`min`/`m`,
/// `hours`/`hour`/`hr`/`h`, `days`/`day`/`d`, `weeks`/`week`/`w`, `months`/`month`/`M` (30.44 days),
/// `years`/`year`/`y` (365.25 days)); a number without a unit is seconds; parts add up (`2w 3d`,
/// `1h30min`). `description` prints the span the way `systemd-analyze timespan` does ("Human:").
public struct TimeSpan: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The length in microseconds.
    public var microseconds: Int64

    public init(microseconds: Int64) {
        self.microseconds = microseconds
    }

    /// A span of whole seconds.
    public static func seconds(_ seconds: Int64) -> TimeSpan {
        TimeSpan(microseconds: seconds * TimeSpan.microsecondsPerSecond)
    }

    /// The length in whole seconds, rounded down.
    public var seconds: Int64 { microseconds / TimeSpan.microsecondsPerSecond }

    public static func < (lhs: TimeSpan, rhs: TimeSpan) -> Bool { lhs.microseconds < rhs.microseconds }

    static let microsecondsPerSecond: Int64 = 1_000_000
    static let microsecondsPerMinute: Int64 = 60 * microsecondsPerSecond
    static let microsecondsPerHour: Int64 = 60 * microsecondsPerMinute
    static let microsecondsPerDay: Int64 = 24 * microsecondsPerHour
    static let microsecondsPerWeek: Int64 = 7 * microsecondsPerDay
    /// systemd's month: 30.44 days.
    static let microsecondsPerMonth: Int64 = 2_629_800 * microsecondsPerSecond
    /// systemd's year: 365.25 days.
    static let microsecondsPerYear: Int64 = 31_557_600 * microsecondsPerSecond
}
