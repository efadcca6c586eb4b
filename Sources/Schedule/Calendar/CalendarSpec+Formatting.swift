extension CalendarSpec {
    static let weekdayAbbreviations = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]

    /// The normalized form, laid out like systemd's `calendar_spec_to_string()`.
    func formatted() -> String {
        var text = ""
        if weekdays > 0 && weekdays <= Self.allWeekdays {
            text += Self.formatWeekdays(weekdays) + " "
        }
        text += Self.format(year, width: 4, microseconds: false)
        text += "-"
        text += Self.format(month, width: 2, microseconds: false)
        text += endOfMonth ? "~" : "-"
        text += Self.format(day, width: 2, microseconds: false)
        text += " "
        text += Self.format(hour, width: 2, microseconds: false)
        text += ":"
        text += Self.format(minute, width: 2, microseconds: false)
        text += ":"
        text += Self.format(second, width: 2, microseconds: true)
        if utc {
            text += " UTC"
        } else if let timeZoneName {
            text += " " + timeZoneName
        } else if let dstAbbreviation {
            text += " " + dstAbbreviation
        }
        return text
    }

    /// Runs of three or more days as `Mon..Wed`, pairs as `Mon,Tue`.
    static func formatWeekdays(_ bits: Int) -> String {
        var text = ""
        var runStart = -1
        func closeRun(before day: Int) {
            if day > runStart + 1 {
                text += (day > runStart + 2 ? ".." : ",") + weekdayAbbreviations[day - 1]
            }
        }
        for day in 0..<7 {
            if bits & (1 << day) != 0 {
                if runStart < 0 {
                    if !text.isEmpty { text += "," }
                    text += weekdayAbbreviations[day]
                    runStart = day
                }
            } else if runStart >= 0 {
                closeRun(before: day)
                runStart = -1
            }
        }
        if runStart >= 0 { closeRun(before: 7) }
        return text
    }

    static func format(_ components: [Component]?, width: Int, microseconds: Bool) -> String {
        guard let components else { return "*" }
        let unit = microseconds ? 1_000_000 : 1
        if microseconds, components.count == 1, components[0].start == 0, components[0].repeatEvery == unit,
            components[0].stop < 0
        {
            return "*"
        }
        func padded(_ value: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        func fraction(_ value: Int) -> String {
            let digits = String(value)
            return "." + String(repeating: "0", count: max(0, 6 - digits.count)) + digits
        }
        return components.map { component in
            var text = padded(component.start / unit)
            if component.start % unit > 0 { text += fraction(component.start % unit) }
            if component.stop > 0 { text += ".." + padded(component.stop / unit) }
            if component.stop % unit > 0 { text += fraction(component.stop % unit) }
            if component.repeatEvery > 0 && !(component.stop > 0 && component.repeatEvery == unit) {
                text += "/" + String(component.repeatEvery / unit)
            }
            if component.repeatEvery % unit > 0 { text += fraction(component.repeatEvery % unit) }
            return text
        }.joined(separator: ",")
    }
}
