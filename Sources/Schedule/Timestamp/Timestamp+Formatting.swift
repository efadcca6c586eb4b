extension Timestamp {
    /// How far `microseconds` lies from `now` (both since the epoch), worded like systemd's
    /// `format_timestamp_relative()`: `4 weeks 2 days ago`, `15h left`, `1 day 3h left`, `now`.
    public static func formatRelative(microseconds: Int64, now: Int64) -> String {
        let (distance, suffix) = now > microseconds ? (now - microseconds, " ago") : (microseconds - now, " left")
        let second = TimeSpan.microsecondsPerSecond
        let minute = TimeSpan.microsecondsPerMinute
        let hour = TimeSpan.microsecondsPerHour
        let day = TimeSpan.microsecondsPerDay
        let week = TimeSpan.microsecondsPerWeek
        let month = TimeSpan.microsecondsPerMonth
        let year = TimeSpan.microsecondsPerYear
        func plural(_ count: Int64, _ one: String, _ many: String) -> String { "\(count) \(count == 1 ? one : many)" }
        switch distance {
        case year...:
            return plural(distance / year, "year", "years") + " " + plural(distance % year / month, "month", "months")
                + suffix
        case month...:
            return plural(distance / month, "month", "months") + " " + plural(distance % month / day, "day", "days")
                + suffix
        case week...:
            return plural(distance / week, "week", "weeks") + " " + plural(distance % week / day, "day", "days") + suffix
        case (2 * day)...:
            return "\(distance / day) days" + suffix
        case (25 * hour)...:
            return "1 day \((distance - day) / hour)h" + suffix
        case (6 * hour)...:
            return "\(distance / hour)h" + suffix
        case hour...:
            return "\(distance / hour)h \(distance % hour / minute)min" + suffix
        case (5 * minute)...:
            return "\(distance / minute)min" + suffix
        case minute...:
            return "\(distance / minute)min \(distance % minute / second)s" + suffix
        case second...:
            return "\(distance / second)s" + suffix
        case 1_000...:
            return "\(distance / 1_000)ms" + suffix
        case 1...:
            return "\(distance)us" + suffix
        default:
            return "now"
        }
    }
}
