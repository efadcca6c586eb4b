import Foundation

/// systemd.time(7) timestamps, turned into Unix seconds.
///
/// Accepted: `YYYY-MM-DD`, `YYYY-MM-DD HH:MM[:SS[.ffffff]]` (also with `T`), `HH:MM[:SS]` (today),
/// an optional leading weekday that must agree with the date, and an optional zone suffix
/// (`UTC`, `Z`, an offset like `+02:00`, or an IANA name like `Europe/Berlin`); `@EPOCH`, `now`,
/// `today`, `yesterday`, `tomorrow`; relative `-30d`, `+1h`, `30d ago`, `2h left` and `in 2h`.
/// Times without a zone are read in `timeZone` (the process's zone unless given). `parse` drops
/// fractions of a second; `parseMicroseconds` keeps them. Dates that do not exist (`2026-02-30`) are refused rather than rolled over.
/// A wall time skipped by a DST change reads as the time after the gap (02:30 → 03:30); one that
/// occurs twice reads with the offset in force at `now`, as `systemd-analyze timestamp` does.
public enum Timestamp {
    /// Parses `text` relative to `now` (Unix seconds) in the process's time zone.
    public static func parse(_ text: String, now: Int64) throws -> Int64 {
        try parse(text, now: now, zone: ZoneRules.local)
    }

    /// Parses `text` relative to `now` (Unix seconds); times without a zone are read in `timeZone`.
    public static func parse(_ text: String, now: Int64, timeZone: TimeZone) throws -> Int64 {
        try parse(text, now: now, zone: ZoneRules(timeZone: timeZone))
    }

    /// Parses `text` relative to `now` (Unix seconds); times without a zone are read in `zone`.
    public static func parse(_ text: String, now: Int64, zone: ZoneRules) throws -> Int64 {
        try parseMicroseconds(text, now: now * microsecondsPerSecond, zone: zone) / microsecondsPerSecond
    }

    /// Parses `text` relative to `now` (microseconds since the epoch), keeping fractions of a second.
    public static func parseMicroseconds(_ text: String, now: Int64, zone: ZoneRules) throws -> Int64 {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        func fail(_ reason: TimestampError.Reason) -> TimestampError { TimestampError(value: text, reason: reason) }
        if trimmed.isEmpty { throw fail(.empty) }
        let result = try parseTrimmed(trimmed, now: now, zone: zone, fail: fail)
        if result < 0 || result > maximum { throw fail(.outOfRange) }
        return result
    }

    static let microsecondsPerSecond: Int64 = 1_000_000
    /// 9999-12-31 23:59:59.999999 UTC, the last moment systemd formats.
    static let maximum: Int64 = 253_402_300_799_999_999

    /// `now` and the result in microseconds.
    private static func parseTrimmed(
        _ text: String, now: Int64, zone: ZoneRules, fail: (TimestampError.Reason) -> TimestampError
    ) throws -> Int64 {
        func span(_ spanText: String) throws -> Int64 {
            do { return try TimeSpan.parse(spanText).microseconds } catch let error as TimeSpanError {
                throw fail(.span(error))
            }
        }
        func shifted(_ base: Int64, _ delta: Int64) throws -> Int64 {
            let (sum, overflow) = base.addingReportingOverflow(delta)
            if overflow { throw fail(.outOfRange) }
            return sum
        }
        if text.hasPrefix("@") { return try span(String(text.dropFirst())) }
        let nowSeconds = floorSeconds(now)
        switch text {
        case "now": return now
        case "today": return try startOfDay(now: nowSeconds, dayOffset: 0, zone: zone) * microsecondsPerSecond
        case "yesterday": return try startOfDay(now: nowSeconds, dayOffset: -1, zone: zone) * microsecondsPerSecond
        case "tomorrow": return try startOfDay(now: nowSeconds, dayOffset: 1, zone: zone) * microsecondsPerSecond
        default: break
        }
        if text.hasPrefix("+") { return try shifted(now, span(String(text.dropFirst()))) }
        if text.hasPrefix("-") { return try shifted(now, -span(String(text.dropFirst()))) }
        if text.hasSuffix(" ago") { return try shifted(now, -span(String(text.dropLast(4)))) }
        if text.hasSuffix(" left") { return try shifted(now, span(String(text.dropLast(5)))) }
        if text.hasPrefix("in ") { return try shifted(now, span(String(text.dropFirst(3)))) }
        return try parseAbsolute(text, now: nowSeconds, zone: zone, fail: fail)
    }

    private static func floorSeconds(_ microseconds: Int64) -> Int64 {
        microseconds >= 0 ? microseconds / microsecondsPerSecond : (microseconds + 1) / microsecondsPerSecond - 1
    }

    private static func startOfDay(now: Int64, dayOffset: Int, zone: ZoneRules) throws -> Int64 {
        var clock = zone.wallClock(at: now)
        clock.hour = 0
        clock.minute = 0
        clock.second = 0
        clock = LocalDateTime(localSeconds: clock.localSeconds + Int64(dayOffset) * 86_400)
        return zone.instant(of: clock, preferredOffset: zone.offset(at: now)).instant
    }

    static let weekdayNames: [(name: String, number: Int)] = [
        ("sunday", 0), ("sun", 0), ("monday", 1), ("mon", 1), ("tuesday", 2), ("tue", 2),
        ("wednesday", 3), ("wed", 3), ("thursday", 4), ("thu", 4), ("friday", 5), ("fri", 5),
        ("saturday", 6), ("sat", 6),
    ]
    static let weekdayAbbreviations = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]

    /// Reads `[WEEKDAY ]DATE[ TIME][ ZONE]` or `[WEEKDAY ]TIME[ ZONE]`; `now` in seconds, the
    /// result in microseconds.
    private static func parseAbsolute(
        _ text: String, now: Int64, zone defaultZone: ZoneRules, fail: (TimestampError.Reason) -> TimestampError
    ) throws -> Int64 {
        var words = text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        var zone = defaultZone
        var fixedOffset: Int?

        // A welded `Z` or `±HH:MM` after an RFC 3339 time, as in 2026-01-31T12:00:00Z.
        if var last = words.last, last.contains(":") {
            if last.hasSuffix("Z") {
                last.removeLast()
                words[words.count - 1] = last
                zone = .utc
            } else if let signIndex = last.lastIndex(where: { $0 == "+" || $0 == "-" }),
                last[..<signIndex].contains(":"), let offset = parseOffset(String(last[signIndex...]))
            {
                words[words.count - 1] = String(last[..<signIndex])
                fixedOffset = offset
            }
        }
        if words.count > 1, let last = words.last, fixedOffset == nil {
            if last == "UTC" || last == "Z" {
                zone = .utc
                words.removeLast()
            } else if let offset = parseOffset(last) {
                fixedOffset = offset
                words.removeLast()
            } else if last.first?.isLetter == true, weekdayNames.allSatisfy({ $0.name != last.lowercased() }) {
                guard let named = ZoneRules.named(last) else {
                    throw fail(last.contains("/") ? .unknownTimeZone(last) : .unrecognized)
                }
                zone = named
                words.removeLast()
            }
        }

        var weekday: Int?
        if let first = words.first, let match = weekdayNames.first(where: { $0.name == first.lowercased() }) {
            weekday = match.number
            words.removeFirst()
        }
        if words.count == 1, words[0].contains("T"), words[0].contains("-") {
            words = words[0].split(separator: "T", maxSplits: 1).map(String.init)
        }
        // The journal's short form, `Jan 31 12:00:00`, in the current year.
        if words.count == 3, let month = monthNumber(words[0]), let day = Int(words[1]), words[2].filter({ $0 == ":" }).count == 2 {
            let year = (fixedOffset.map { LocalDateTime(localSeconds: now + Int64($0)) } ?? zone.wallClock(at: now)).year
            guard day >= 1, day <= CivilDate.daysInMonth(year: year, month: month) else { throw fail(.invalidDate) }
            words = [String(format: "%04d-%02d-%02d", year, month, day), words[2]]
        }
        guard !words.isEmpty, words.count <= 2 else { throw fail(.unrecognized) }
        // `today UTC`, `tomorrow Europe/Berlin`: midnight in the named zone.
        if words.count == 1, weekday == nil, fixedOffset == nil,
            let dayOffset = ["yesterday": -1, "today": 0, "tomorrow": 1][words[0]]
        {
            return try startOfDay(now: now, dayOffset: dayOffset, zone: zone) * microsecondsPerSecond
        }

        var clock: LocalDateTime
        var timeWord: String?
        var fraction: Int64 = 0
        if words[0].contains("-") {
            clock = try parseDate(words[0], fail: fail)
            timeWord = words.count == 2 ? words[1] : nil
        } else {
            guard words.count == 1, words[0].contains(":") else { throw fail(.unrecognized) }
            let today = (fixedOffset.map { LocalDateTime(localSeconds: now + Int64($0)) }) ?? zone.wallClock(at: now)
            clock = LocalDateTime(year: today.year, month: today.month, day: today.day)
            timeWord = words[0]
        }
        if let timeWord {
            let time = try parseTime(timeWord, fail: fail)
            clock.hour = time.hour
            clock.minute = time.minute
            clock.second = time.second
            fraction = time.microseconds
        }
        if let weekday, clock.weekday != weekday {
            throw fail(.weekdayMismatch(expected: weekdayAbbreviations[clock.weekday]))
        }
        if let fixedOffset { return (clock.localSeconds - Int64(fixedOffset)) * microsecondsPerSecond + fraction }
        // A wall time that occurs twice takes the offset in force now, as systemd's mktime() call does.
        return zone.instant(of: clock, preferredOffset: zone.offset(at: now)).instant * microsecondsPerSecond + fraction
    }

    static let monthNames = [
        "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
        "december",
    ]

    /// `Jan` or `January` (any case) as 1–12.
    private static func monthNumber(_ word: String) -> Int? {
        let lowered = word.lowercased()
        guard lowered.count >= 3 else { return nil }
        return monthNames.firstIndex { $0 == lowered || ($0.hasPrefix(lowered) && lowered.count == 3) }.map { $0 + 1 }
    }

    /// `YYYY-MM-DD` (or `YY-MM-DD`, 69–99 meaning 19xx and 00–68 meaning 20xx, as strptime's `%y`).
    private static func parseDate(_ word: String, fail: (TimestampError.Reason) -> TimestampError) throws -> LocalDateTime {
        let parts = word.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
            parts[1].count <= 2, parts[2].count <= 2, parts[0].count <= 4,
            var year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
        else { throw fail(.unrecognized) }
        if parts[0].count <= 2 { year += year >= 69 ? 1900 : 2000 }
        guard (1...12).contains(month), day >= 1, day <= CivilDate.daysInMonth(year: year, month: month) else {
            throw fail(.invalidDate)
        }
        return LocalDateTime(year: year, month: month, day: day)
    }

    /// `HH:MM`, `HH:MM:SS` or `HH:MM:SS.ffffff` (microseconds; a seventh digit rounds, as in systemd).
    private static func parseTime(
        _ word: String, fail: (TimestampError.Reason) -> TimestampError
    ) throws -> (hour: Int, minute: Int, second: Int, microseconds: Int64) {
        var text = Substring(word)
        var microseconds: Int64 = 0
        if let dot = text.firstIndex(of: ".") {
            let fraction = Array(text[text.index(after: dot)...])
            guard !fraction.isEmpty, fraction.allSatisfy({ $0.isASCII && $0.isNumber }),
                text[..<dot].filter({ $0 == ":" }).count == 2
            else { throw fail(.invalidTime) }
            for index in 0..<6 {
                microseconds = microseconds * 10 + (index < fraction.count ? Int64(fraction[index].wholeNumberValue!) : 0)
            }
            if fraction.count > 6, fraction[6].wholeNumberValue! >= 5 { microseconds += 1 }
            text = text[..<dot]
        }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard (2...3).contains(parts.count),
            parts.allSatisfy({ (1...2).contains($0.count) && $0.allSatisfy({ $0.isASCII && $0.isNumber }) })
        else { throw fail(.invalidTime) }
        let numbers = parts.map { Int($0)! }
        let second = numbers.count == 3 ? numbers[2] : 0
        guard numbers[0] < 24, numbers[1] < 60, second < 60 else { throw fail(.invalidTime) }
        return (numbers[0], numbers[1], second, microseconds)
    }

    /// `+HH`, `+HHMM` or `+HH:MM` (either sign) as seconds east of UTC; at most 24 hours.
    static func parseOffset(_ word: String) -> Int? {
        guard let sign = word.first, sign == "+" || sign == "-" else { return nil }
        let digits = word.dropFirst().filter { $0 != ":" }
        guard digits.allSatisfy({ $0.isASCII && $0.isNumber }), digits.count == 2 || digits.count == 4,
            word.dropFirst().filter({ $0 == ":" }).count <= (digits.count == 4 ? 1 : 0)
        else { return nil }
        let hours = Int(digits.prefix(2))!
        let minutes = digits.count == 4 ? Int(digits.suffix(2))! : 0
        guard minutes < 60, hours * 3600 + minutes * 60 <= 86_400 else { return nil }
        let magnitude = hours * 3600 + minutes * 60
        return sign == "-" ? -magnitude : magnitude
    }
}
