import Foundation
import Testing

@testable import Schedule

@Suite struct CalendarSpecTests {
    @Test(arguments: [
        ("minutely", "*-*-* *:*:00"),
        ("hourly", "*-*-* *:00:00"),
        ("daily", "*-*-* 00:00:00"),
        ("weekly", "Mon *-*-* 00:00:00"),
        ("monthly", "*-*-01 00:00:00"),
        ("yearly", "*-01-01 00:00:00"),
        ("annually", "*-01-01 00:00:00"),
        ("quarterly", "*-01,04,07,10-01 00:00:00"),
        ("semiannually", "*-01,07-01 00:00:00"),
        ("Mon..Fri", "Mon..Fri *-*-* 00:00:00"),
        ("Mon-Wed", "Mon..Wed *-*-* 00:00:00"),
        ("Sat,Sun 10:00", "Sat,Sun *-*-* 10:00:00"),
        ("Mon,Mon..Tue *-1,1,2-*", "Mon,Tue *-01,02-* 00:00:00"),
        ("Mon,Tue,Wed,Thu,Fri,Sat,Sun", "*-*-* 00:00:00"),
        ("*-*-* 03:00 UTC", "*-*-* 03:00:00 UTC"),
        ("daily utc", "*-*-* 00:00:00 UTC"),
        ("12:00 Europe/Berlin", "*-*-* 12:00:00 Europe/Berlin"),
        ("0..10/3:00", "*-*-* 00..09/3:00:00"),
        ("*-*~1..3", "*-*~01..03 00:00:00"),
        ("*-02~3", "*-02~03 00:00:00"),
        ("*:*:0/0.25", "*-*-* *:*:00/0.250000"),
        ("*-*-* 1:2:3.1234567", "*-*-* 01:02:03.123457"),
        ("26-12-25", "2026-12-25 00:00:00"),
        ("99-01-01", "1999-01-01 00:00:00"),
        ("*-04..05/2~7 *:00 UTC", "*-04~07 *:00:00 UTC"),
        ("*:30..30/3", "*-*-* *:30:00"),
        ("@1800000000", "2027-01-15 08:00:00 UTC"),
        ("*:*:*", "*-*-* *:*:*"),
    ])
    func normalizesLikeSystemd(text: String, normalized: String) throws {
        #expect(try CalendarSpec.parse(text).normalized == normalized)
    }

    @Test(arguments: [
        ("", CalendarSpecError.Reason.empty),
        ("bogus", .badDate("bogus")),
        ("Mon..", .badWeekday("Mon..")),
        ("Fri..Mon", .badWeekday("Fri..Mon")),
        ("*-*-* 25:00", .outOfRange(field: "hour", value: "25")),
        ("*-13-01", .outOfRange(field: "month", value: "13")),
        ("*-*-32", .outOfRange(field: "day", value: "32")),
        ("*-*~29", .outOfRange(field: "day", value: "~29")),
        ("1969-01-01", .outOfRange(field: "year", value: "1969")),
        ("*:0/0", .zeroRepetition("0/0")),
        ("*:0/0.0000001", .zeroRepetition("0/0")),
        ("*:*:0/0.0000001", .zeroRepetition("0/0.0000001")),
        ("5..2:00", .outOfRange(field: "hour", value: "05..02")),
        ("*-*-* 12:00 Mars/Olympus", .unknownTimeZone("Mars/Olympus")),
        ("*-*-* 12:00:00:00", .badTime("12:00:00:00")),
        ("*-*-* 12:00 extra", .unexpected("extra")),
    ])
    func refusesWhatSystemdRefuses(text: String, reason: CalendarSpecError.Reason) {
        #expect(throws: CalendarSpecError(value: text, reason: reason)) { try CalendarSpec.parse(text) }
    }

    @Test func errorsNameTheExpressionAndThePart() {
        let error = CalendarSpecError(value: "*-*-* 25:00", reason: .outOfRange(field: "hour", value: "25"))
        #expect(error.description == "hour `25` in calendar expression `*-*-* 25:00` is out of range or repeats past its end")
    }

    static func utc(_ text: String) throws -> Int64 {
        try Timestamp.parse(text, now: 0, zone: .utc) * 1_000_000
    }

    static func elapses(_ expression: String, after base: String, count: Int = 5, zone: String = "UTC") throws -> [String] {
        let spec = try CalendarSpec.parse(expression)
        let local = try #require(ZoneRules.named(zone))
        return spec.elapses(afterMicroseconds: try utc(base), count: count, localZone: local).map {
            ZoneRules.utc.format(microseconds: $0)
        }
    }

    @Test func dailyRunsOnLeapDays() throws {
        #expect(
            try Self.elapses("*-02-29 03:00 UTC", after: "2024-01-01 00:00:00", count: 3) == [
                "Thu 2024-02-29 03:00:00 UTC", "Tue 2028-02-29 03:00:00 UTC", "Sun 2032-02-29 03:00:00 UTC",
            ])
    }

    @Test func lastDayOfTheMonth() throws {
        #expect(
            try Self.elapses("*-*~01 12:00 UTC", after: "2024-01-31 12:00:00", count: 3) == [
                "Thu 2024-02-29 12:00:00 UTC", "Sun 2024-03-31 12:00:00 UTC", "Tue 2024-04-30 12:00:00 UTC",
            ])
    }

    @Test func repetitionPastTheMonthsEndRestartsOnTheFirst() throws {
        // 29 + 8 is past February, so the search goes on from March 1, not March 4 (systemd ≥ 247).
        #expect(
            try Self.elapses("*-*-01/8 05:00 UTC", after: "2028-02-29 12:00:00", count: 2) == [
                "Wed 2028-03-01 05:00:00 UTC", "Thu 2028-03-09 05:00:00 UTC",
            ])
    }

    @Test func springForwardSkipsTheMissingTime() throws {
        // Europe/Berlin jumps from 02:00 to 03:00 on 2026-03-29: 02:30 does not happen that day.
        #expect(
            try Self.elapses("*-*-* 02:30 Europe/Berlin", after: "2026-03-28 00:00:00", count: 3) == [
                "Sat 2026-03-28 01:30:00 UTC", "Mon 2026-03-30 00:30:00 UTC", "Tue 2026-03-31 00:30:00 UTC",
            ])
    }

    @Test func fallBackFiresOnceAtTheFirstOccurrence() throws {
        // Europe/Berlin repeats 02:00–03:00 on 2026-10-25; the repeated half-hours do not fire again.
        #expect(
            try Self.elapses("*-*-* *:00/30 Europe/Berlin", after: "2026-10-24 23:00:00", count: 6) == [
                "Sat 2026-10-24 23:30:00 UTC", "Sun 2026-10-25 00:00:00 UTC", "Sun 2026-10-25 00:30:00 UTC",
                "Sun 2026-10-25 02:00:00 UTC", "Sun 2026-10-25 02:30:00 UTC", "Sun 2026-10-25 03:00:00 UTC",
            ])
    }

    @Test func localZoneAppliesWhenTheExpressionNamesNone() throws {
        #expect(
            try Self.elapses("*-*-* 09:00", after: "2026-07-01 00:00:00", count: 1, zone: "America/New_York") == [
                "Wed 2026-07-01 13:00:00 UTC"
            ])
    }

    @Test func localAbbreviationsForceStandardOrDaylightTime() throws {
        let berlin = try #require(ZoneRules.named("Europe/Berlin"))
        let standard = try CalendarSpec.parse("*-*-* 12:00 cet", localZone: berlin)
        #expect(standard.normalized == "*-*-* 12:00:00 CET")
        #expect(standard.timeZone == nil)
        let winter = try Self.utc("2026-01-01 00:00:00")
        #expect(standard.nextElapse(afterMicroseconds: winter, localZone: berlin) == winter + 11 * 3_600_000_000)
        // In summer 12:00 standard time is 13:00 daylight time, which never matches 12:00: systemd says "never".
        #expect(standard.nextElapse(afterMicroseconds: try Self.utc("2026-07-01 00:00:00"), localZone: berlin) == nil)
        // Under UTC, CET is a zone of its own (with summer time).
        let zone = try CalendarSpec.parse("*-*-* 12:00 CET", localZone: .utc)
        #expect(zone.timeZone?.identifier == "CET")
        #expect(
            zone.nextElapse(afterMicroseconds: try Self.utc("2026-07-01 00:00:00"), localZone: .utc)
                == (try Self.utc("2026-07-01 10:00:00")))
    }

    @Test func neverElapsesAgain() throws {
        #expect(try Self.elapses("2020-01-01", after: "2026-01-01 00:00:00").isEmpty)
        #expect(try Self.elapses("*-02-30", after: "2026-01-01 00:00:00").isEmpty)
        #expect(try CalendarSpec.parse("2020-01-01 UTC").nextElapse(after: Date()) == nil)
    }

    @Test func fractionalSecondsElapseInMicroseconds() throws {
        let spec = try CalendarSpec.parse("*:*:0/0.25 UTC")
        let base = try Self.utc("2026-01-01 00:00:00")
        #expect(
            spec.elapses(afterMicroseconds: base, count: 3, localZone: .utc) == [
                base + 250_000, base + 500_000, base + 750_000,
            ])
    }

    @Test func nextElapseAfterDateIsStrictlyLater() throws {
        let spec = try CalendarSpec.parse("hourly UTC")
        let base = Date(timeIntervalSince1970: 1_800_000_000)
        let next = try #require(spec.nextElapse(after: base))
        #expect(next.timeIntervalSince1970 == 1_800_003_600)
        #expect(spec.nextElapse(after: next)?.timeIntervalSince1970 == 1_800_007_200)
    }
}
