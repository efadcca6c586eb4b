extension CalendarSpec {
    static let allWeekdays = 127
    static let minimumYear = 1970
    static let maximumYear = 2199

    /// Brings the expression into systemd's canonical shape (`calendar_spec_normalize()`): two-digit
    /// years become 19xx/20xx, ranges end on a repetition, lists are sorted without duplicates.
    mutating func normalize() {
        if timeZoneName == "UTC" {
            utc = true
            timeZoneName = nil
            zone = nil
        }
        if weekdays <= 0 || weekdays >= Self.allWeekdays { weekdays = -1 }
        if endOfMonth && day == nil { endOfMonth = false }
        year = year.map { components in
            components.map { component in
                var fixed = component
                fixed.start = Self.fullYear(fixed.start)
                fixed.stop = Self.fullYear(fixed.stop)
                return fixed
            }
        }
        year = Self.normalized(year)
        month = Self.normalized(month)
        day = Self.normalized(day)
        hour = Self.normalized(hour)
        minute = Self.normalized(minute)
        second = Self.normalized(second)
    }

    /// `12` → 2012, `89` → 1989.
    private static func fullYear(_ value: Int) -> Int {
        switch value {
        case 0..<70: return value + 2000
        case 70..<100: return value + 1900
        default: return value
        }
    }

    private static func normalized(_ components: [Component]?) -> [Component]? {
        guard let components else { return nil }
        let trimmed = components.map { component in
            var result = component
            if result.stop > result.start && result.repeatEvery > 0 {
                result.stop -= (result.stop - result.start) % result.repeatEvery
            }
            // A range that cannot repeat even once, or ends where it starts, is a single value.
            if (result.stop > result.start && result.start + result.repeatEvery > result.stop)
                || result.start == result.stop
            {
                result.stop = -1
                result.repeatEvery = 0
            }
            return result
        }
        var unique: [Component] = []
        for component in trimmed.sorted() where unique.last != component { unique.append(component) }
        return unique
    }

    /// Refuses values outside each field's range, like `calendar_spec_valid()`.
    func validate(text: String) throws {
        let fields: [(name: String, components: [Component]?, from: Int, to: Int, endOfMonth: Bool, micro: Bool)] = [
            ("year", year, Self.minimumYear, Self.maximumYear, false, false),
            ("month", month, 1, 12, false, false),
            ("day", day, 1, 31, endOfMonth, false),
            ("hour", hour, 0, 23, false, false),
            ("minute", minute, 0, 59, false, false),
            ("second", second, 0, 60 * 1_000_000 - 1, false, true),
        ]
        for field in fields {
            guard let components = field.components else { continue }
            for component in components
            where !Self.isValid(component, from: field.from, to: field.to, endOfMonth: field.endOfMonth) {
                let shown = Self.format([component], width: field.name == "year" ? 4 : 2, microseconds: field.micro)
                throw CalendarSpecError(
                    value: text, reason: .outOfRange(field: field.name, value: (field.endOfMonth ? "~" : "") + shown))
            }
        }
    }

    private static func isValid(_ component: Component, from: Int, to: Int, endOfMonth: Bool) -> Bool {
        // Days counted from the end of the month stop three short, so every month has them.
        let to = endOfMonth ? to - 3 : to
        if component.start < from || component.start > to { return false }
        if component.repeatEvery > to - from { return false }
        if component.stop >= 0 {
            if component.stop < from || component.stop > to { return false }
            if component.start + component.repeatEvery > component.stop { return false }
        } else {
            if endOfMonth && component.start - component.repeatEvery < from { return false }
            if !endOfMonth && component.start + component.repeatEvery > to { return false }
        }
        return true
    }
}
