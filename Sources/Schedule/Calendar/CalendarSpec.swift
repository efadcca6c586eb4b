import Foundation

/// A systemd calendar event, the value of `OnCalendar=` (systemd.time(7), "Calendar Events").
///
/// `DOW YYYY-MM-DD HH:MM:SS ZONE` where each date and time field is `*`, a value, a list `a,b`, a
/// range `a..b` or a repetition `a/b` (also `a..b/c`); `~` in place of the `-` before the day counts
/// days from the end of the month; seconds may have decimals; shorthands like `daily` stand for whole
/// expressions. `normalized` is the form `systemd-analyze calendar` prints, and `nextElapse(after:)`
/// finds the next matching instant the way systemd's timers do, including its handling of DST.
public struct CalendarSpec: Sendable, Hashable, CustomStringConvertible {
    /// One element of a field's list: `start`, `start..stop` or `start[..stop]/repeat`.
    struct Component: Sendable, Hashable, Comparable {
        var start: Int
        /// -1 when open-ended.
        var stop: Int
        /// 0 when not repeating.
        var repeatEvery: Int

        static func < (lhs: Component, rhs: Component) -> Bool {
            (lhs.start, lhs.stop, lhs.repeatEvery) < (rhs.start, rhs.stop, rhs.repeatEvery)
        }
    }

    /// Bit 0 is Monday … bit 6 Sunday; -1 means every day.
    var weekdays: Int = -1
    /// `nil` means `*`.
    var year: [Component]?
    var month: [Component]?
    var day: [Component]?
    var hour: [Component]?
    var minute: [Component]?
    /// Seconds in microseconds.
    var second: [Component]?
    /// The day field counts from the end of the month (`~`).
    var endOfMonth = false
    var utc = false
    /// An IANA zone name given after the expression.
    var timeZoneName: String?
    /// The rules of `timeZoneName`, resolved at parse time.
    var zone: ZoneRules?
    /// 0 or 1 when the expression ends in the local zone's standard or daylight abbreviation
    /// (`CET`, `CEST` under TZ=Europe/Berlin): times are then read with that offset forced, as
    /// systemd does with `tm_isdst`. -1 otherwise.
    var dst = -1
    /// The abbreviation that set `dst`, as the local zone spells it.
    var dstAbbreviation: String?

    /// The expression as `systemd-analyze calendar` prints it ("Normalized form:").
    public var normalized: String { formatted() }

    public var description: String { normalized }

    /// The zone the expression is evaluated in: UTC, its named zone, or `nil` for the local zone.
    public var timeZone: ZoneRules? { utc ? .utc : zone }

    /// The first instant strictly after `date` that matches, in the process's local zone unless the
    /// expression names one; `nil` when it never elapses again.
    public func nextElapse(after date: Date) -> Date? {
        nextElapse(after: date, localZone: .local)
    }

    /// The first instant strictly after `date` that matches; `localZone` applies when the expression
    /// names no zone.
    public func nextElapse(after date: Date, localZone: ZoneRules) -> Date? {
        let microseconds = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
        return nextElapse(afterMicroseconds: microseconds, localZone: localZone).map {
            Date(timeIntervalSince1970: TimeInterval($0) / 1_000_000)
        }
    }

    /// The first instant strictly after `microseconds` (since the epoch) that matches.
    public func nextElapse(afterMicroseconds microseconds: Int64, localZone: ZoneRules) -> Int64? {
        var search = ElapseSearch(spec: self, zone: timeZone ?? localZone)
        return search.next(after: microseconds)
    }

    /// Up to `count` successive elapses after `microseconds`.
    public func elapses(afterMicroseconds microseconds: Int64, count: Int, localZone: ZoneRules) -> [Int64] {
        var result: [Int64] = []
        var base = microseconds
        while result.count < count, let next = nextElapse(afterMicroseconds: base, localZone: localZone) {
            result.append(next)
            base = next
        }
        return result
    }
}
