/// A POSIX `TZ` rule such as `CET-1CEST,M3.5.0,M10.5.0/3`, the footer of a TZif file.
///
/// It gives the offsets for instants after the file's last transition (tzdata's "slim" files stop
/// listing transitions early, and even "fat" ones stop at 2037), and is also what a `TZ` variable
/// holding a rule instead of a zone name means. Offsets are seconds east of UTC.
struct PosixTimeZoneRule: Sendable, Hashable {
    struct Local: Sendable, Hashable {
        var abbreviation: String
        var offset: Int
        var isDST: Bool
    }

    /// When a change happens: a day of the year, then a local time of day in seconds.
    enum Day: Sendable, Hashable {
        /// `Jn`: day 1–365, February 29 never counted.
        case julianWithoutLeapDay(Int)
        /// `n`: day 0–365, February 29 counted.
        case zeroBasedDay(Int)
        /// `Mm.w.d`: weekday `d` (0 = Sunday) of week `w` (5 = last) of month `m`.
        case monthWeekDay(month: Int, week: Int, weekday: Int)
    }

    var standard: Local
    var daylight: Local?
    var start: (day: Day, time: Int) = (.monthWeekDay(month: 3, week: 2, weekday: 0), 7200)
    var end: (day: Day, time: Int) = (.monthWeekDay(month: 11, week: 1, weekday: 0), 7200)

    static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.standard == rhs.standard && lhs.daylight == rhs.daylight && lhs.start == rhs.start && lhs.end == rhs.end
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(standard)
        hasher.combine(daylight)
    }

    /// Parses a rule, or returns `nil` when the text is not one.
    init?(_ text: String) {
        var scanner = RuleScanner(Array(text.utf8))
        guard let standardName = scanner.name(), let standardOffset = scanner.offset() else { return nil }
        standard = Local(abbreviation: standardName, offset: -standardOffset, isDST: false)
        if scanner.atEnd { return }
        guard let daylightName = scanner.name() else { return nil }
        var daylightOffset = standard.offset + 3600
        if !scanner.atEnd, scanner.peek != UInt8(ascii: ",") {
            guard let offset = scanner.offset() else { return nil }
            daylightOffset = -offset
        }
        daylight = Local(abbreviation: daylightName, offset: daylightOffset, isDST: true)
        if scanner.atEnd { return }
        guard scanner.take(","), let startDay = scanner.day() else { return nil }
        var startTime = 7200
        if scanner.take("/") {
            guard let time = scanner.offset() else { return nil }
            startTime = time
        }
        guard scanner.take(","), let endDay = scanner.day() else { return nil }
        var endTime = 7200
        if scanner.take("/") {
            guard let time = scanner.offset() else { return nil }
            endTime = time
        }
        guard scanner.atEnd else { return nil }
        start = (startDay, startTime)
        end = (endDay, endTime)
    }

    /// The local time type in force at `instant` (Unix seconds).
    func local(at instant: Int64) -> Local {
        isDaylight(at: instant) ? daylight! : standard
    }

    /// Seconds east of UTC at `instant`, without copying an abbreviation.
    func offset(at instant: Int64) -> Int {
        isDaylight(at: instant) ? daylight!.offset : standard.offset
    }

    /// Whether daylight time is in force at `instant`.
    func isDaylight(at instant: Int64) -> Bool {
        guard let daylight else { return false }
        let year = LocalDateTime(localSeconds: instant + Int64(standard.offset)).year
        // The start is given in standard time, the end in daylight time.
        let startsAt = Self.localSeconds(of: start.day, year: year) + Int64(start.time) - Int64(standard.offset)
        let endsAt = Self.localSeconds(of: end.day, year: year) + Int64(end.time) - Int64(daylight.offset)
        let inDaylight =
            startsAt < endsAt ? (instant >= startsAt && instant < endsAt) : !(instant >= endsAt && instant < startsAt)
        return inDaylight
    }

    /// Seconds of local midnight starting the given day of `year`.
    private static func localSeconds(of day: Day, year: Int) -> Int64 {
        let january1 = CivilDate.days(year: year, month: 1, day: 1)
        switch day {
        case .julianWithoutLeapDay(let n):
            let leapShift = CivilDate.isLeapYear(year) && n >= 60 ? 1 : 0
            return (january1 + Int64(n - 1 + leapShift)) * 86_400
        case .zeroBasedDay(let n):
            return (january1 + Int64(n)) * 86_400
        case .monthWeekDay(let month, let week, let weekday):
            let first = CivilDate.days(year: year, month: month, day: 1)
            var day = first + Int64((weekday - CivilDate.weekday(days: first) + 7) % 7) + Int64(week - 1) * 7
            let length = Int64(CivilDate.daysInMonth(year: year, month: month))
            while day >= first + length { day -= 7 }
            return day * 86_400
        }
    }
}

/// Reads the pieces of a POSIX `TZ` rule.
private struct RuleScanner {
    let bytes: [UInt8]
    var index = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { index >= bytes.count }
    var peek: UInt8? { atEnd ? nil : bytes[index] }

    mutating func take(_ character: Character) -> Bool {
        guard let peek, peek == character.asciiValue! else { return false }
        index += 1
        return true
    }

    /// `CET` or `<+03>`.
    mutating func name() -> String? {
        if take("<") {
            let start = index
            while let peek, peek != UInt8(ascii: ">") { index += 1 }
            let name = String(decoding: bytes[start..<index], as: UTF8.self)
            return take(">") && name.count >= 3 ? name : nil
        }
        let start = index
        while let peek, (peek | 0x20) >= UInt8(ascii: "a"), (peek | 0x20) <= UInt8(ascii: "z") { index += 1 }
        return index - start >= 3 ? String(decoding: bytes[start..<index], as: UTF8.self) : nil
    }

    mutating func number() -> Int? {
        let start = index
        var value = 0
        while let peek, (0x30...0x39).contains(peek) {
            value = value * 10 + Int(peek - 0x30)
            index += 1
        }
        return index > start ? value : nil
    }

    /// `[+-]hh[:mm[:ss]]` as seconds (positive means west of Greenwich in a rule's offsets).
    mutating func offset() -> Int? {
        var sign = 1
        if take("-") { sign = -1 } else { _ = take("+") }
        guard let hours = number() else { return nil }
        var seconds = hours * 3600
        if take(":") {
            guard let minutes = number() else { return nil }
            seconds += minutes * 60
            if take(":") {
                guard let secs = number() else { return nil }
                seconds += secs
            }
        }
        return sign * seconds
    }

    mutating func day() -> PosixTimeZoneRule.Day? {
        if take("J") { return number().map { .julianWithoutLeapDay($0) } }
        if take("M") {
            guard let month = number(), take("."), let week = number(), take("."), let weekday = number(),
                (1...12).contains(month), (1...5).contains(week), (0...6).contains(weekday)
            else { return nil }
            return .monthWeekDay(month: month, week: week, weekday: weekday)
        }
        return number().map { .zeroBasedDay($0) }
    }
}
