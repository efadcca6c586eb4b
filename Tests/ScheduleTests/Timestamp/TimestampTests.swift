import Foundation
import Testing

@testable import Schedule

@Suite struct TimestampTests {
    /// Tue 2026-11-24 08:10:00 UTC.
    static let now: Int64 = 1_795_507_800
    static let utc = TimeZone(identifier: "UTC")!
    static let berlin = TimeZone(identifier: "Europe/Berlin")!

    @Test(arguments: [
        ("2026-01-31", Int64(1_769_817_600)),
        ("2026-01-31 12:00", 1_769_860_800),
        ("2026-01-31 12:00:00", 1_769_860_800),
        ("2026-01-31 12:00:00 UTC", 1_769_860_800),
        ("2026-01-31T12:00:00Z", 1_769_860_800),
        ("2026-01-31T12:00:00+01:00", 1_769_857_200),
        ("2026-01-31 12:00:00 +0100", 1_769_857_200),
        ("2026-01-31 12:00:00.75", 1_769_860_800),
        ("Sat 2026-01-31", 1_769_817_600),
        ("saturday 2026-01-31 00:00", 1_769_817_600),
        ("26-01-31", 1_769_817_600),
        ("2026-01-31 12:00 Europe/Berlin", 1_769_857_200),
        ("2026-07-01 12:00 Europe/Berlin", 1_782_900_000),
        ("2026-07-01 12:00 America/New_York", 1_782_921_600),
        ("@1700000000", 1_700_000_000),
        ("@1700000000.9", 1_700_000_000),
        ("now", now),
        ("today", 1_795_478_400),
        ("yesterday", 1_795_392_000),
        ("tomorrow", 1_795_564_800),
        ("today Europe/Berlin", 1_795_474_800),
        ("tomorrow UTC", 1_795_564_800),
        ("09:30", 1_795_512_600),
        ("-30d", now - 2_592_000),
        ("+1h", now + 3_600),
        ("30d ago", now - 2_592_000),
        ("2h left", now + 7_200),
        ("in 2h", now + 7_200),
        ("2024-02-29 23:59:59", 1_709_251_199),
        ("Jan 31 12:00:00", 1_769_860_800),
        ("january 31 12:00:00 UTC", 1_769_860_800),
    ])
    func parsesInUTC(text: String, expected: Int64) throws {
        #expect(try Timestamp.parse(text, now: Self.now, timeZone: Self.utc) == expected)
    }

    @Test func readsZonelessTimesInTheGivenZone() throws {
        #expect(try Timestamp.parse("2026-01-31 12:00", now: Self.now, timeZone: Self.berlin) == 1_769_857_200)
        #expect(try Timestamp.parse("today", now: Self.now, timeZone: Self.berlin) == 1_795_474_800)
        // 02:30 on the spring-forward day does not exist in Berlin; like mktime() it becomes 03:30 CEST.
        #expect(try Timestamp.parse("2026-03-29 02:30", now: Self.now, timeZone: Self.berlin) == 1_774_747_800)
        #expect(try Timestamp.parse("2026-03-29 03:30", now: Self.now, timeZone: Self.berlin) == 1_774_747_800)
        // 02:30 on the fall-back day happens twice; the offset in force now decides which one is meant.
        #expect(try Timestamp.parse("2026-10-25 02:30", now: Self.now, timeZone: Self.berlin) == 1_792_891_800)
        #expect(try Timestamp.parse("2026-10-25 02:30", now: 1_782_900_000, timeZone: Self.berlin) == 1_792_888_200)
    }

    @Test(arguments: [
        ("", TimestampError.Reason.empty),
        ("next tuesday", .unrecognized),
        ("2026-02-30", .invalidDate),
        ("2026-13-01", .invalidDate),
        ("2026-01-31 25:00", .invalidTime),
        ("2026-01-31 12:60", .invalidTime),
        ("Mon 2026-01-31", .weekdayMismatch(expected: "Sat")),
        ("2026-01-31 12:00 Mars/Olympus", .unknownTimeZone("Mars/Olympus")),
        ("-30 fortnights", .span(TimeSpanError(value: "30 fortnights", reason: .unknownUnit("fortnights")))),
        ("10000-01-01", .unrecognized),
    ])
    func refuses(text: String, reason: TimestampError.Reason) {
        #expect(throws: TimestampError(value: text, reason: reason)) {
            try Timestamp.parse(text, now: Self.now, timeZone: Self.utc)
        }
    }

    @Test func keepsMicrosecondsWhenAsked() throws {
        let now = Self.now * 1_000_000 + 250_000
        #expect(try Timestamp.parseMicroseconds("2026-01-31 12:00:00.5", now: now, zone: .utc) == 1_769_860_800_500_000)
        #expect(try Timestamp.parseMicroseconds("2026-01-31 12:00:00.1234567", now: now, zone: .utc) == 1_769_860_800_123_457)
        #expect(try Timestamp.parseMicroseconds("@1700000000.25", now: now, zone: .utc) == 1_700_000_000_250_000)
        #expect(try Timestamp.parseMicroseconds("now", now: now, zone: .utc) == now)
        #expect(try Timestamp.parseMicroseconds("+1.5s", now: now, zone: .utc) == now + 1_500_000)
        #expect(try Timestamp.parse("2026-01-31 12:00:00.9", now: Self.now, zone: .utc) == 1_769_860_800)
    }

    @Test func errorNamesTheValue() {
        let error = TimestampError(value: "2026-02-30", reason: .invalidDate)
        #expect(error.description.contains("`2026-02-30`"))
    }

    static let comparedWithSystemd = [
        "2026-01-31", "2026-01-31 12:00", "2026-01-31 12:00:00", "2026-01-31 12:00:00 UTC", "Sat 2026-01-31", "@1700000000",
        "2024-02-29 23:59:59", "1999-12-31 23:59",
        "2038-01-19 03:14:08", "26-01-31", "2026-06-30 00:00:01 UTC", "Jan 31 12:00:00", "2026-1-5", "2026-01-31 1:2",
    ]

    @Test(.enabled(if: SystemdAnalyze.isAvailable, "systemd-analyze is missing (Debian package systemd)"))
    func agreesWithSystemdAnalyzeTimestamp() throws {
        for zone in ["UTC", "Europe/Berlin", "America/New_York"] {
            let result = try SystemdAnalyze.run(["timestamp"] + Self.comparedWithSystemd, timeZone: zone)
            #expect(result.status == 0, "\(result.standardError)")
            let seconds = result.standardOutput.split(separator: "\n")
                .map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { $0.hasPrefix("UNIX seconds:") }
                .map { Int64($0.split(separator: "@")[1].split(separator: ".")[0])! }
            #expect(seconds.count == Self.comparedWithSystemd.count)
            for (index, text) in Self.comparedWithSystemd.enumerated() where index < seconds.count {
                let ours = try Timestamp.parse(text, now: Int64(Date().timeIntervalSince1970), timeZone: TimeZone(identifier: zone)!)
                #expect(ours == seconds[index], "\(text) in \(zone)")
            }
        }
    }

    @Test(.enabled(if: SystemdAnalyze.isAvailable, "systemd-analyze is missing (Debian package systemd)"))
    func agreesWithSystemdAnalyzeAcrossDSTChanges() throws {
        let now = Int64(Date().timeIntervalSince1970)
        let cases = [
            ("Europe/Berlin", ["2026-03-29 02:30", "2026-10-25 02:30", "2026-10-25 01:59:59", "2026-10-25 03:00"]),
            ("America/New_York", ["2026-03-08 02:30", "2026-11-01 01:30", "2026-11-01 00:59:59", "2026-11-01 02:00"]),
        ]
        for (zone, texts) in cases {
            let result = try SystemdAnalyze.run(["timestamp"] + texts, timeZone: zone)
            let seconds = result.standardOutput.split(separator: "\n")
                .map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { $0.hasPrefix("UNIX seconds:") }
                .map { Int64($0.split(separator: "@")[1].split(separator: ".")[0])! }
            let ours = try texts.map { try Timestamp.parse($0, now: now, zone: ZoneRules.named(zone)!) }
            #expect(ours == seconds, "\(zone)")
        }
    }

    @Test(.enabled(if: SystemdAnalyze.isAvailable, "systemd-analyze is missing (Debian package systemd)"))
    func agreesWithSystemdAnalyzeOnToday() throws {
        for zone in ["UTC", "Asia/Tokyo"] {
            let before = Int64(Date().timeIntervalSince1970)
            let result = try SystemdAnalyze.run(["timestamp", "today", "tomorrow", "yesterday UTC"], timeZone: zone)
            let seconds = result.standardOutput.split(separator: "\n")
                .map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { $0.hasPrefix("UNIX seconds:") }
                .map { Int64($0.split(separator: "@")[1].split(separator: ".")[0])! }
            let expected = try ["today", "tomorrow", "yesterday UTC"].map {
                try Timestamp.parse($0, now: before, timeZone: TimeZone(identifier: zone)!)
            }
            #expect(seconds == expected, "\(zone)")
        }
    }
}
