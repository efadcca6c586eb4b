/// Reads a calendar expression left to right, the way systemd's parser does.
struct CalendarSpecParser {
    let text: String
    let localZone: ZoneRules
    var bytes: [UInt8] = []
    var index = 0
    var spec = CalendarSpec()

    init(text: String, localZone: ZoneRules) {
        self.text = text
        self.localZone = localZone
    }

    static let microsecondsPerSecond = 1_000_000
    static let maximumComponents = 240

    func fail(_ reason: CalendarSpecError.Reason) -> CalendarSpecError {
        CalendarSpecError(value: text, reason: reason)
    }

    var peek: UInt8 { index < bytes.count ? bytes[index] : 0 }

    /// The text from `start` to the next space (or the end), for error messages.
    func word(from start: Int) -> String {
        var end = start
        while end < bytes.count, bytes[end] != UInt8(ascii: " ") { end += 1 }
        return String(decoding: bytes[min(start, bytes.count)..<max(end, min(start, bytes.count))], as: UTF8.self)
    }

    mutating func parse() throws -> CalendarSpec {
        var body = text
        if body.count >= 4, body.lowercased().hasSuffix(" utc") {
            spec.utc = true
            body = String(body.dropLast(4))
        } else if let (flag, abbreviation) = localAbbreviation(endingOf: body) {
            spec.dst = flag
            spec.dstAbbreviation = abbreviation
            body = String(body.dropLast(abbreviation.count + 1))
        } else if let space = body.lastIndex(of: " ") {
            let name = String(body[body.index(after: space)...])
            if let zone = ZoneRules.named(name) {
                spec.timeZoneName = name
                spec.zone = zone
                body = String(body[..<space])
            }
        }
        if !spec.utc, spec.timeZoneName == nil, spec.dst < 0, let space = body.lastIndex(of: " ") {
            let name = String(body[body.index(after: space)...])
            if name.contains("/"), name.first?.isLetter == true { throw fail(.unknownTimeZone(name)) }
        }
        bytes = Array(body.utf8)
        if bytes.isEmpty { throw fail(.empty) }

        if !applyShorthand(body.lowercased()) {
            try parseWeekdays()
            if try !parseDate() { try parseTime() }
            if index < bytes.count { throw fail(.unexpected(word(from: index))) }
        }
        spec.normalize()
        try spec.validate(text: text)
        return spec
    }

    /// The local zone's standard (0) or daylight (1) abbreviation ending `body` after a space, like
    /// systemd's check of `tzname[]`.
    func localAbbreviation(endingOf body: String) -> (Int, String)? {
        let names = localZone.abbreviationPair
        for (flag, name) in [(0, names.standard), (1, names.daylight)] where !name.isEmpty {
            if body.count > name.count, body.lowercased().hasSuffix(" " + name.lowercased()) { return (flag, name) }
        }
        return nil
    }

    /// The named expressions of systemd.time(7); returns false for anything else.
    mutating func applyShorthand(_ name: String) -> Bool {
        let zero = [CalendarSpec.Component(start: 0, stop: -1, repeatEvery: 0)]
        func values(_ list: [Int]) -> [CalendarSpec.Component] {
            list.map { CalendarSpec.Component(start: $0, stop: -1, repeatEvery: 0) }
        }
        switch name {
        case "minutely":
            spec.second = zero
        case "hourly":
            (spec.minute, spec.second) = (zero, zero)
        case "daily":
            (spec.hour, spec.minute, spec.second) = (zero, zero, zero)
        case "weekly":
            spec.weekdays = 1
            (spec.hour, spec.minute, spec.second) = (zero, zero, zero)
        case "monthly":
            spec.day = values([1])
            (spec.hour, spec.minute, spec.second) = (zero, zero, zero)
        case "yearly", "annually", "anually":
            (spec.month, spec.day) = (values([1]), values([1]))
            (spec.hour, spec.minute, spec.second) = (zero, zero, zero)
        case "quarterly":
            (spec.month, spec.day) = (values([1, 4, 7, 10]), values([1]))
            (spec.hour, spec.minute, spec.second) = (zero, zero, zero)
        case "semiannually", "semi-annually", "biannually", "bi-annually":
            (spec.month, spec.day) = (values([1, 7]), values([1]))
            (spec.hour, spec.minute, spec.second) = (zero, zero, zero)
        default:
            return false
        }
        return true
    }

    static let weekdayNames: [(name: [UInt8], number: Int)] = [
        ("monday", 0), ("mon", 0), ("tuesday", 1), ("tue", 1), ("wednesday", 2), ("wed", 2),
        ("thursday", 3), ("thu", 3), ("friday", 4), ("fri", 4), ("saturday", 5), ("sat", 5),
        ("sunday", 6), ("sun", 6),
    ].map { (Array($0.0.utf8), $0.1) }

    /// `Mon`, `Mon,Wed`, `Mon..Fri`, `Mon-Fri` (the old range syntax), followed by spaces.
    mutating func parseWeekdays() throws {
        let start = index
        var rangeStart = -1
        var first = true
        while true {
            var matched: (name: [UInt8], number: Int)?
            for candidate in Self.weekdayNames where index + candidate.name.count <= bytes.count {
                let slice = bytes[index..<index + candidate.name.count]
                if zip(slice, candidate.name).allSatisfy({ ($0 | 0x20) == $1 }) {
                    matched = candidate
                    break
                }
            }
            guard let matched else {
                if first { return }
                throw fail(.badWeekday(word(from: start)))
            }
            let after = index + matched.name.count
            let next = after < bytes.count ? bytes[after] : 0
            guard [0, UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: ","), UInt8(ascii: " ")].contains(next) else {
                throw fail(.badWeekday(word(from: start)))
            }
            if spec.weekdays < 0 { spec.weekdays = 0 }
            spec.weekdays |= 1 << matched.number
            if rangeStart >= 0 {
                if rangeStart > matched.number { throw fail(.badWeekday(word(from: start))) }
                for day in (rangeStart + 1)..<max(rangeStart + 1, matched.number) { spec.weekdays |= 1 << day }
            }
            index = after
            if peek == 0 { return }
            if peek == UInt8(ascii: " ") {
                skipSpaces()
                return
            }
            if peek == UInt8(ascii: ".") {
                if rangeStart >= 0 || index + 1 >= bytes.count || bytes[index + 1] != UInt8(ascii: ".") {
                    throw fail(.badWeekday(word(from: start)))
                }
                rangeStart = matched.number
                index += 2
            } else if peek == UInt8(ascii: "-") {
                if rangeStart >= 0 { throw fail(.badWeekday(word(from: start))) }
                rangeStart = matched.number
                index += 1
            } else if peek == UInt8(ascii: ",") {
                rangeStart = -1
                index += 1
            }
            if peek == 0 || peek == UInt8(ascii: " ") {
                skipSpaces()
                if rangeStart >= 0 { throw fail(.badWeekday(word(from: start))) }
                return
            }
            first = false
        }
    }

    mutating func skipSpaces() {
        while peek == UInt8(ascii: " ") { index += 1 }
    }

    /// `[YEAR-]MONTH-DAY` (or `~DAY`), or `@EPOCH`; returns true when nothing may follow.
    mutating func parseDate() throws -> Bool {
        if peek == 0 { return false }
        let start = index
        if peek == UInt8(ascii: "@") {
            index += 1
            let digitsStart = index
            while (0x30...0x39).contains(peek) { index += 1 }
            guard index > digitsStart, let seconds = Int64(String(decoding: bytes[digitsStart..<index], as: UTF8.self)),
                seconds <= 253_402_300_799
            else { throw fail(.badDate(word(from: start))) }
            let clock = LocalDateTime(localSeconds: seconds)
            func constant(_ value: Int) -> [CalendarSpec.Component] { [.init(start: value, stop: -1, repeatEvery: 0)] }
            spec.utc = true
            spec.year = constant(clock.year)
            spec.month = constant(clock.month)
            spec.day = constant(clock.day)
            spec.hour = constant(clock.hour)
            spec.minute = constant(clock.minute)
            spec.second = constant(clock.second * Self.microsecondsPerSecond)
            return true
        }
        let first = try parseChain(microseconds: false, part: { .badDate($0) }, from: start)
        if peek == 0 || peek == UInt8(ascii: ":") {
            index = start
            return false
        }
        if peek == UInt8(ascii: "~") {
            spec.endOfMonth = true
        } else if peek != UInt8(ascii: "-") {
            throw fail(.badDate(word(from: start)))
        }
        index += 1
        let second = try parseChain(microseconds: false, part: { .badDate($0) }, from: start)
        if peek == 0 || peek == UInt8(ascii: " ") {
            skipSpaces()
            (spec.month, spec.day) = (first, second)
            return false
        }
        if spec.endOfMonth { throw fail(.badDate(word(from: start))) }
        if peek == UInt8(ascii: "~") {
            spec.endOfMonth = true
        } else if peek != UInt8(ascii: "-") {
            throw fail(.badDate(word(from: start)))
        }
        index += 1
        let third = try parseChain(microseconds: false, part: { .badDate($0) }, from: start)
        guard peek == 0 || peek == UInt8(ascii: " ") else { throw fail(.badDate(word(from: start))) }
        skipSpaces()
        (spec.year, spec.month, spec.day) = (first, second, third)
        return false
    }

    /// `HOUR:MINUTE[:SECOND]`, or nothing for 00:00:00.
    mutating func parseTime() throws {
        let zero = [CalendarSpec.Component(start: 0, stop: -1, repeatEvery: 0)]
        if peek == 0 {
            (spec.hour, spec.minute, spec.second) = (zero, zero, zero)
            return
        }
        let start = index
        let hour = try parseChain(microseconds: false, part: { .badTime($0) }, from: start)
        guard peek == UInt8(ascii: ":") else { throw fail(.badTime(word(from: start))) }
        index += 1
        let minute = try parseChain(microseconds: false, part: { .badTime($0) }, from: start)
        try refuseTrailingWords()
        var second = zero as [CalendarSpec.Component]?
        if peek != 0 {
            guard peek == UInt8(ascii: ":") else { throw fail(.badTime(word(from: start))) }
            index += 1
            second = try parseChain(microseconds: true, part: { .badTime($0) }, from: start)
            try refuseTrailingWords()
            if peek != 0 { throw fail(.badTime(word(from: start))) }
        }
        (spec.hour, spec.minute, spec.second) = (hour, minute, second)
    }

    /// Words after the time: systemd refuses them; name the first one.
    mutating func refuseTrailingWords() throws {
        guard peek == UInt8(ascii: " ") else { return }
        skipSpaces()
        throw fail(.unexpected(word(from: index)))
    }

    /// `*` or a comma-separated list of `a`, `a..b`, `a/r`, `a..b/r`; `nil` means `*`.
    mutating func parseChain(
        microseconds: Bool, part: (String) -> CalendarSpecError.Reason, from start: Int
    ) throws -> [CalendarSpec.Component]? {
        if peek == UInt8(ascii: "*") {
            index += 1
            return microseconds ? [.init(start: 0, stop: -1, repeatEvery: Self.microsecondsPerSecond)] : nil
        }
        var components: [CalendarSpec.Component] = []
        while true {
            if components.count > Self.maximumComponents { throw fail(.tooManyComponents) }
            let componentStart = index
            let first = try parseDecimal(microseconds: microseconds, part: part, from: start)
            var component = CalendarSpec.Component(start: first, stop: -1, repeatEvery: 0)
            if peek == UInt8(ascii: "."), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: ".") {
                index += 2
                component.stop = try parseDecimal(microseconds: microseconds, part: part, from: start)
                component.repeatEvery = microseconds ? Self.microsecondsPerSecond : 1
            }
            if peek == UInt8(ascii: "/") {
                index += 1
                component.repeatEvery = try parseDecimal(microseconds: microseconds, part: part, from: start)
                if component.repeatEvery == 0 {
                    throw fail(.zeroRepetition(String(decoding: bytes[componentStart..<index], as: UTF8.self)))
                }
            }
            guard
                [0, UInt8(ascii: " "), UInt8(ascii: ","), UInt8(ascii: "-"), UInt8(ascii: "~"), UInt8(ascii: ":")]
                    .contains(peek)
            else { throw fail(part(word(from: start))) }
            components.append(component)
            if peek != UInt8(ascii: ",") { return components }
            index += 1
        }
    }

    /// Digits, and for seconds an optional fraction of up to six digits (the seventh rounds).
    mutating func parseDecimal(
        microseconds: Bool, part: (String) -> CalendarSpecError.Reason, from start: Int
    ) throws -> Int {
        guard (0x30...0x39).contains(peek) else { throw fail(part(word(from: start))) }
        var value = 0
        while (0x30...0x39).contains(peek) {
            value = value * 10 + Int(peek - 0x30)
            if value > Int(Int32.max) { throw fail(.badNumber(word(from: start))) }
            index += 1
        }
        if microseconds {
            value *= Self.microsecondsPerSecond
            if peek == UInt8(ascii: "."), !(index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: ".")) {
                index += 1
                guard (0x30...0x39).contains(peek) else { throw fail(.badNumber(word(from: start))) }
                var fraction = 0
                for _ in 0..<6 {
                    fraction *= 10
                    if (0x30...0x39).contains(peek) {
                        fraction += Int(peek - 0x30)
                        index += 1
                    }
                }
                if (0x35...0x39).contains(peek) { fraction += 1 }
                while (0x30...0x39).contains(peek) { index += 1 }
                value += fraction
            }
        }
        if value > Int(Int32.max) { throw fail(.badNumber(word(from: start))) }
        return value
    }
}
