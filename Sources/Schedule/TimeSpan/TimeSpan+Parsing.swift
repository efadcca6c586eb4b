extension TimeSpan {
    /// Units in the order systemd's `extract_multiplier()` tries them: the first prefix that
    /// matches wins, so `msec` and `ms` are tried before `m`.
    private static let units: [(suffix: [UInt8], microseconds: Int64)] = [
        ("seconds", microsecondsPerSecond), ("second", microsecondsPerSecond),
        ("sec", microsecondsPerSecond), ("s", microsecondsPerSecond),
        ("minutes", microsecondsPerMinute), ("minute", microsecondsPerMinute),
        ("min", microsecondsPerMinute),
        ("months", microsecondsPerMonth), ("month", microsecondsPerMonth), ("M", microsecondsPerMonth),
        ("msec", 1_000), ("ms", 1_000),
        ("m", microsecondsPerMinute),
        ("hours", microsecondsPerHour), ("hour", microsecondsPerHour), ("hr", microsecondsPerHour),
        ("h", microsecondsPerHour),
        ("days", microsecondsPerDay), ("day", microsecondsPerDay), ("d", microsecondsPerDay),
        ("weeks", microsecondsPerWeek), ("week", microsecondsPerWeek), ("w", microsecondsPerWeek),
        ("years", microsecondsPerYear), ("year", microsecondsPerYear), ("y", microsecondsPerYear),
        ("usec", 1), ("us", 1), ("μs", 1), ("µs", 1),
    ].map { (Array($0.0.utf8), $0.1) }

    /// Parses a systemd time span; a number without a unit is seconds.
    ///
    /// Throws `TimeSpanError` naming the text when it is empty, negative, infinite, too large,
    /// or has a number or unit systemd would refuse.
    public static func parse(_ text: String) throws -> TimeSpan {
        try parse(text, defaultUnit: microsecondsPerSecond)
    }

    /// Parses a span whose unit-less numbers count `defaultUnit` microseconds.
    static func parse(_ text: String, defaultUnit: Int64) throws -> TimeSpan {
        let bytes = Array(text.utf8)
        func fail(_ reason: TimeSpanError.Reason) -> TimeSpanError { TimeSpanError(value: text, reason: reason) }
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || (0x09...0x0D).contains(byte) }
        func isDigit(_ byte: UInt8) -> Bool { (0x30...0x39).contains(byte) }
        func word(at start: Int) -> String {
            var end = start
            while end < bytes.count, !isSpace(bytes[end]), !isDigit(bytes[end]) { end += 1 }
            return String(decoding: bytes[start..<end], as: UTF8.self)
        }

        var index = 0
        while index < bytes.count, isSpace(bytes[index]) { index += 1 }
        if bytes[index...].starts(with: Array("infinity".utf8)) { throw fail(.infinity) }

        var total: Int64 = 0
        var something = false
        while true {
            while index < bytes.count, isSpace(bytes[index]) { index += 1 }
            if index == bytes.count {
                if !something { throw fail(.empty) }
                return TimeSpan(microseconds: total)
            }
            if bytes[index] == UInt8(ascii: "-") { throw fail(.negative) }
            if bytes[index] == UInt8(ascii: "+") { index += 1 }
            let integerStart = index
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            let integerDigits = bytes[integerStart..<index]
            var fractionDigits = bytes[index..<index]
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                let fractionStart = index + 1
                index = fractionStart
                while index < bytes.count, isDigit(bytes[index]) { index += 1 }
                fractionDigits = bytes[fractionStart..<index]
                // systemd refuses "3.", "3.sec" and ".5"-less forms like "3. 1".
                if fractionDigits.isEmpty { throw fail(.malformedNumber) }
            } else if integerDigits.isEmpty {
                // A lone "+" at the end has no number after it.
                let isLetter =
                    index < bytes.count
                    && (bytes[index] >= 0x80
                        || (bytes[index] | 0x20) >= UInt8(ascii: "a") && (bytes[index] | 0x20) <= UInt8(ascii: "z"))
                throw fail(isLetter ? .unknownUnit(word(at: index)) : .malformedNumber)
            }

            var unitStart = index
            while unitStart < bytes.count, isSpace(bytes[unitStart]) { unitStart += 1 }
            var multiplier = defaultUnit
            var afterUnit = unitStart
            for unit in units where bytes[unitStart...].starts(with: unit.suffix) {
                multiplier = unit.microseconds
                afterUnit = unitStart + unit.suffix.count
                break
            }
            if afterUnit == unitStart, unitStart == index, index < bytes.count {
                // systemd refuses "12.34.56" and "5x": a unit must follow the number directly.
                throw fail(bytes[index] == UInt8(ascii: ".") ? .malformedNumber : .unknownUnit(word(at: index)))
            }
            index = afterUnit

            var value: Int64 = 0
            for digit in integerDigits {
                let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
                let (plus, overflow2) = times.addingReportingOverflow(Int64(digit - 0x30))
                if overflow1 || overflow2 { throw fail(.tooLarge) }
                value = plus
            }
            let (whole, overflow) = value.multipliedReportingOverflow(by: multiplier)
            if overflow { throw fail(.tooLarge) }
            var part = whole
            var scale = multiplier / 10
            for digit in fractionDigits {
                part += Int64(digit - 0x30) * scale
                scale /= 10
            }
            let (sum, sumOverflow) = total.addingReportingOverflow(part)
            if sumOverflow || sum == Int64.max { throw fail(.tooLarge) }
            total = sum
            something = true
        }
    }
}
