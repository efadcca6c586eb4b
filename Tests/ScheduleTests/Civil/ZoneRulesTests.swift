import Foundation
import Testing

@testable import Schedule

@Suite struct ZoneRulesTests {
    @Test func readsOffsetsAndAbbreviationsFromTzdata() throws {
        let berlin = try #require(ZoneRules.named("Europe/Berlin"))
        #expect(berlin.offset(at: 1_769_860_800) == 3600)
        #expect(berlin.abbreviation(at: 1_769_860_800) == "CET")
        #expect(berlin.offset(at: 1_782_900_000) == 7200)
        #expect(berlin.abbreviation(at: 1_782_900_000) == "CEST")
        // Past the file's last transition the footer rule (CET-1CEST,M3.5.0,M10.5.0/3) takes over.
        #expect(berlin.abbreviation(at: 4_118_126_400) == "CEST")
        #expect(berlin.abbreviation(at: 4_102_444_800) == "CET")
    }

    @Test func formatsLikeSystemd() throws {
        let newYork = try #require(ZoneRules.named("America/New_York"))
        #expect(newYork.format(microseconds: 1_782_921_600_000_000) == "Wed 2026-07-01 12:00:00 EDT")
        #expect(ZoneRules.utc.format(microseconds: 1_782_921_600_999_999) == "Wed 2026-07-01 16:00:00 UTC")
        let kolkata = try #require(ZoneRules.named("Asia/Kolkata"))
        #expect(kolkata.format(microseconds: 0) == "Thu 1970-01-01 05:30:00 IST")
    }

    @Test func refusesUnknownAndMalformedNames() {
        #expect(ZoneRules.named("Mars/Olympus") == nil)
        #expect(ZoneRules.named("../etc/passwd") == nil)
        #expect(ZoneRules.named("/etc/localtime") == nil)
        #expect(ZoneRules.named("12:00") == nil)
        #expect(ZoneRules.named("UTC")?.isUTC == true)
    }

    @Test func resolvesGapsForwardAndOverlapsByPreference() throws {
        let berlin = try #require(ZoneRules.named("Europe/Berlin"))
        let gap = LocalDateTime(year: 2026, month: 3, day: 29, hour: 2, minute: 30)
        #expect(berlin.instant(of: gap).instant == 1_774_747_800)
        let overlap = LocalDateTime(year: 2026, month: 10, day: 25, hour: 2, minute: 30)
        #expect(berlin.instant(of: overlap, preferredOffset: 7200).instant == 1_792_888_200)
        #expect(berlin.instant(of: overlap, preferredOffset: 3600).instant == 1_792_891_800)
        #expect(berlin.instant(of: overlap).instant == 1_792_888_200)
    }

    @Test func posixRulesCoverBothHemispheres() throws {
        let newYork = try #require(PosixTimeZoneRule("EST5EDT,M3.2.0,M11.1.0"))
        #expect(newYork.local(at: 1_782_921_600).abbreviation == "EDT")
        #expect(newYork.local(at: 1_769_860_800).offset == -18_000)
        let sydney = try #require(PosixTimeZoneRule("AEST-10AEDT,M10.1.0,M4.1.0/3"))
        #expect(sydney.local(at: 1_769_860_800).abbreviation == "AEDT")
        #expect(sydney.local(at: 1_782_921_600).abbreviation == "AEST")
        let numeric = try #require(PosixTimeZoneRule("<+0530>-5:30"))
        #expect(numeric.local(at: 0).offset == 19_800)
        #expect(PosixTimeZoneRule("nonsense rule") == nil)
    }

    @Test func civilDatesRoundTrip() {
        for days in stride(from: Int64(-800_000), through: 800_000, by: 997) {
            let date = CivilDate.date(days: days)
            #expect(CivilDate.days(year: date.year, month: date.month, day: date.day) == days)
        }
        #expect(CivilDate.weekday(days: 0) == 4)
        #expect(CivilDate.daysInMonth(year: 2100, month: 2) == 28)
        #expect(CivilDate.daysInMonth(year: 2000, month: 2) == 29)
    }

    @Test func theHostsZoneIsNamedAsFoundationNamesItWithoutAskingFoundation() throws {
        // Foundation's current zone follows TZ when it is set; the local name is read only when it is not.
        try #require(ProcessInfo.processInfo.environment["TZ"].map(\.isEmpty) ?? true)
        #expect(ZoneInfo.localName() == TimeZone.current.identifier)
    }
}
