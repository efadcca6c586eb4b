extension TimeSpan {
    /// The span in systemd's normalised form, as `systemd-analyze timespan` prints it ("Human:").
    public var description: String { formatted(accuracy: 1) }

    /// The span in systemd's `format_timespan()` layout, dropping parts below `accuracy` microseconds.
    ///
    /// Largest units first (`y`, `month`, `w`, `d`, `h`, `min`, `s`, `ms`, `us`), separated by spaces;
    /// below one minute a remainder is shown as a decimal of the unit (`1.500000s`, `1.500ms`).
    public func formatted(accuracy: Int64) -> String {
        let table: [(suffix: String, microseconds: Int64)] = [
            ("y", TimeSpan.microsecondsPerYear), ("month", TimeSpan.microsecondsPerMonth),
            ("w", TimeSpan.microsecondsPerWeek), ("d", TimeSpan.microsecondsPerDay),
            ("h", TimeSpan.microsecondsPerHour), ("min", TimeSpan.microsecondsPerMinute),
            ("s", TimeSpan.microsecondsPerSecond), ("ms", 1_000), ("us", 1),
        ]
        var rest = microseconds
        if rest <= 0 { return "0" }
        var parts: [String] = []
        for unit in table {
            if rest <= 0 { break }
            if rest < accuracy && !parts.isEmpty { break }
            if rest < unit.microseconds { continue }
            let whole = rest / unit.microseconds
            let remainder = rest % unit.microseconds
            if rest < TimeSpan.microsecondsPerMinute && remainder > 0 {
                var shown = remainder
                var digits = 0
                var scale = unit.microseconds
                while scale > 1 {
                    digits += 1
                    scale /= 10
                }
                var accuracyScale = accuracy
                while accuracyScale > 1 {
                    shown /= 10
                    digits -= 1
                    accuracyScale /= 10
                }
                if digits > 0 {
                    let fraction = String(shown)
                    let padded = String(repeating: "0", count: max(0, digits - fraction.count)) + fraction
                    parts.append("\(whole).\(padded)\(unit.suffix)")
                    rest = 0
                    continue
                }
            }
            parts.append("\(whole)\(unit.suffix)")
            rest = remainder
        }
        return parts.joined(separator: " ")
    }
}
