/// The search for a calendar expression's next elapse, with systemd's semantics.
///
/// systemd walks a broken-down local time (`struct tm`) field by field, year down to second,
/// jumping each field to its next matching value and letting `mktime()` normalise the result; a
/// normalisation that changes any field (a day past the month's end, a wall time inside a DST gap)
/// restarts the walk from the normalised time. This type walks the same way, with `mktime()`
/// emulated on top of `ZoneRules`, including glibc's habit of resolving an ambiguous wall time with
/// the offset its previous call found. That is why, for example, a time that occurs twice when
/// clocks go back fires only once, at its first occurrence, and a time skipped when clocks go
/// forward does not fire that day.
struct ElapseSearch {
    /// A `struct tm` without the derived fields; `month` is 0-based and any field may be out of range.
    struct BrokenDownTime: Equatable {
        var year: Int
        var month: Int
        var day: Int
        var hour: Int
        var minute: Int
        var second: Int

        init(_ clock: LocalDateTime) {
            (year, month, day) = (clock.year, clock.month - 1, clock.day)
            (hour, minute, second) = (clock.hour, clock.minute, clock.second)
        }

        /// Seconds of the wall clock this reading names, counting out-of-range fields onward.
        var localSeconds: Int64 {
            let yearShift = month >= 0 ? month / 12 : (month - 11) / 12
            let normalizedMonth = month - yearShift * 12
            let days = CivilDate.days(year: year + yearShift, month: normalizedMonth + 1, day: 1) + Int64(day - 1)
            return days * 86_400 + Int64(hour) * 3600 + Int64(minute) * 60 + Int64(second)
        }
    }

    enum Step {
        case found
        case unchanged
        case none
    }

    let spec: CalendarSpec
    let zone: ZoneRules
    /// glibc's `mktime()` remembers the offset of its last result and tries it first.
    var cachedOffset = 0
    /// systemd sets `tm_isdst` to the expression's DST flag after the first normalisation.
    var forcedDST: Bool?

    static let microsecondsPerSecond: Int64 = 1_000_000
    /// systemd refuses to compute elapses after 9999-12-31 23:59:59 UTC.
    static let maximumMicroseconds: Int64 = 253_402_300_799_999_999

    init(spec: CalendarSpec, zone: ZoneRules) {
        self.spec = spec
        self.zone = zone
    }

    /// `mktime()`: normalises `time` in place and returns its instant.
    mutating func makeTime(_ time: inout BrokenDownTime) -> Int64 {
        let local = time.localSeconds
        var (instant, _) = zone.instant(localSeconds: local, preferredOffset: cachedOffset)
        // With tm_isdst forced, a time of the other kind is read with the offset of the nearest
        // time of the requested kind (so 12:00 "CET" in summer becomes 13:00 CEST).
        if let forcedDST, zone.isDaylightSavingTime(at: instant) != forcedDST,
            let offset = zone.offset(near: instant, daylightSavingTime: forcedDST)
        {
            instant = local - Int64(offset)
        }
        cachedOffset = Int(local - instant)
        time = BrokenDownTime(zone.wallClock(at: instant))
        return instant
    }

    /// The next matching instant in microseconds strictly after `base`, or `nil` if there is none
    /// before the end of 2199.
    mutating func next(after base: Int64) -> Int64? {
        guard base <= Self.maximumMicroseconds, base >= -1 else { return nil }
        let start = base + 1
        let seconds = start / Self.microsecondsPerSecond
        var microsecond = Int(start % Self.microsecondsPerSecond)
        cachedOffset = zone.offset(at: seconds)
        var time = BrokenDownTime(zone.wallClock(at: seconds))
        var first = true

        // systemd gives up after this many walks rather than risk looping forever.
        for _ in 0..<Self.maximumWalks {
            if first {
                first = false
                if spec.dst >= 0 { forcedDST = spec.dst == 1 }
            } else {
                _ = makeTime(&time)
            }

            var step = match(spec.year, value: &time.year, time: time)
            if step == .found { reset(&time, &microsecond, from: .month) }
            if step == .none { return nil }
            if bounds(&time) != .found { return nil }

            var month = time.month + 1
            step = match(spec.month, value: &month, time: time)
            time.month = month - 1
            if step == .found { reset(&time, &microsecond, from: .day) }
            if step != .none { step = bounds(&time) }
            if step == .none {
                time.year += 1
                reset(&time, &microsecond, from: .month)
                continue
            }
            if step == .unchanged { continue }

            step = match(spec.day, value: &time.day, time: time, isDay: true)
            if step == .found { reset(&time, &microsecond, from: .hour) }
            if step != .none { step = bounds(&time) }
            if step == .none {
                time.month += 1
                reset(&time, &microsecond, from: .day)
                continue
            }
            if step == .unchanged { continue }

            if !matchesWeekday(time) {
                time.day += 1
                reset(&time, &microsecond, from: .hour)
                continue
            }

            step = match(spec.hour, value: &time.hour, time: time)
            if step == .found { reset(&time, &microsecond, from: .minute) }
            if step != .none { step = bounds(&time) }
            if step == .none {
                time.day += 1
                reset(&time, &microsecond, from: .hour)
                continue
            }
            if step == .unchanged { continue }

            step = match(spec.minute, value: &time.minute, time: time)
            if step == .found { reset(&time, &microsecond, from: .second) }
            if step != .none { step = bounds(&time) }
            if step == .none {
                time.hour += 1
                reset(&time, &microsecond, from: .minute)
                continue
            }
            if step == .unchanged { continue }

            var secondValue = time.second * Int(Self.microsecondsPerSecond) + microsecond
            step = match(spec.second, value: &secondValue, time: time)
            microsecond = secondValue % Int(Self.microsecondsPerSecond)
            time.second = secondValue / Int(Self.microsecondsPerSecond)
            if step != .none { step = bounds(&time) }
            if step == .none {
                time.minute += 1
                reset(&time, &microsecond, from: .second)
                continue
            }
            if step == .unchanged { continue }

            let instant = makeTime(&time)
            let elapse = instant * Self.microsecondsPerSecond + Int64(microsecond)
            // A forced DST flag can map the walk back onto the base; an elapse must be later.
            return elapse > base ? elapse : nil
        }
        return nil
    }

    static let maximumWalks = 1000

    enum Field {
        case month, day, hour, minute, second
    }

    /// Sets every field below the one that changed to its first value.
    private func reset(_ time: inout BrokenDownTime, _ microsecond: inout Int, from field: Field) {
        switch field {
        case .month:
            (time.month, time.day, time.hour, time.minute, time.second) = (0, 1, 0, 0, 0)
        case .day:
            (time.day, time.hour, time.minute, time.second) = (1, 0, 0, 0)
        case .hour:
            (time.hour, time.minute, time.second) = (0, 0, 0)
        case .minute:
            (time.minute, time.second) = (0, 0)
        case .second:
            time.second = 0
        }
        microsecond = 0
    }

    /// Past 2199, or when `mktime()` would move the reading backwards, there is nothing here
    /// (`.none`). A reading `mktime()` moves forwards (a day past the month's end, a time in a DST
    /// gap) is replaced by the normalised one with the field below the first changed one reset, so
    /// that 02-30 becomes 03-01 rather than 03-02 (`.unchanged`, meaning "walk again"). Otherwise
    /// the reading exists as it is (`.found`).
    private mutating func bounds(_ time: inout BrokenDownTime) -> Step {
        if time.year > CalendarSpec.maximumYear { return .none }
        var normalized = time
        _ = makeTime(&normalized)
        let order: Int
        if normalized.year != time.year {
            order = normalized.year < time.year ? -1 : 1
            normalized.month = 0
        } else if normalized.month != time.month {
            order = normalized.month < time.month ? -1 : 1
            normalized.day = 1
        } else if normalized.day != time.day {
            order = normalized.day < time.day ? -1 : 1
            normalized.hour = 0
        } else if normalized.hour != time.hour {
            order = normalized.hour < time.hour ? -1 : 1
            normalized.minute = 0
        } else if normalized.minute != time.minute {
            order = normalized.minute < time.minute ? -1 : 1
            normalized.second = 0
        } else {
            order = normalized.second == time.second ? 0 : (normalized.second < time.second ? -1 : 1)
        }
        if order < 0 { return .none }
        if order == 0 { return .found }
        time = normalized
        return .unchanged
    }

    private mutating func matchesWeekday(_ time: BrokenDownTime) -> Bool {
        if spec.weekdays < 0 || spec.weekdays >= CalendarSpec.allWeekdays { return true }
        var normalized = time
        _ = makeTime(&normalized)
        let weekday = CivilDate.weekday(
            days: CivilDate.days(year: normalized.year, month: normalized.month + 1, day: normalized.day))
        let bit = weekday == 0 ? 6 : weekday - 1
        return spec.weekdays & (1 << bit) != 0
    }

    /// The day of the month `fromEnd` days before the next month starts (1 is the last day), or -1.
    private mutating func endOfMonth(_ time: BrokenDownTime, _ fromEnd: Int) -> Int {
        var probe = time
        probe.month += 1
        probe.day = 1 - fromEnd
        _ = makeTime(&probe)
        return probe.month == time.month ? probe.day : -1
    }

    /// Moves `value` to the smallest matching value not below it: `.found` if it moved,
    /// `.unchanged` if it already matched (or the field is `*`), `.none` if nothing is left.
    private mutating func match(
        _ components: [CalendarSpec.Component]?, value: inout Int, time: BrokenDownTime, isDay: Bool = false
    ) -> Step {
        guard let components else { return .unchanged }
        var best: Int?
        for component in components {
            var start = component.start
            var stop = component.stop
            if spec.endOfMonth && isDay {
                start = endOfMonth(time, start)
                stop = endOfMonth(time, stop)
                if stop > 0 { swap(&start, &stop) }
            }
            if start >= value {
                if best == nil || start < best! { best = start }
            } else if component.repeatEvery > 0 {
                let steps = (value - start + component.repeatEvery - 1) / component.repeatEvery
                let candidate = start + component.repeatEvery * steps
                if (best == nil || candidate < best!) && (stop < 0 || candidate <= stop) { best = candidate }
            }
        }
        guard let best else { return .none }
        defer { value = best }
        return value != best ? .found : .unchanged
    }
}
