import Emulator
import Testing

@testable import Schedule

@Suite struct TimeSpanTests {
    @Test(arguments: [
        ("30d", Int64(2_592_000_000_000)),
        ("2w 3d", 1_468_800_000_000),
        ("12h", 43_200_000_000),
        ("1y", 31_557_600_000_000),
        ("1M", 2_629_800_000_000),
        ("1.5h", 5_400_000_000),
        ("500ms", 500_000),
        ("90", 90_000_000),
        ("1.5", 1_500_000),
        ("1h30min", 5_400_000_000),
        ("1h 30m", 5_400_000_000),
        ("5 min", 300_000_000),
        ("3 weeks", 1_814_400_000_000),
        ("2 days 4 hours", 187_200_000_000),
        ("1 year", 31_557_600_000_000),
        ("1months", 2_629_800_000_000),
        ("10us", 10),
        ("10µs", 10),
        ("10μs", 10),
        ("7usec", 7),
        ("3msec", 3_000),
        ("2sec", 2_000_000),
        ("2 seconds", 2_000_000),
        ("4hr", 14_400_000_000),
        ("0", 0),
        (" 45s ", 45_000_000),
        ("0.000001s", 1),
    ])
    func parses(text: String, microseconds: Int64) throws {
        #expect(try TimeSpan.parse(text).microseconds == microseconds)
    }

    @Test(arguments: [
        ("", TimeSpanError.Reason.empty),
        ("   ", .empty),
        ("-5d", .negative),
        ("5x", .unknownUnit("x")),
        ("5 fortnights", .unknownUnit("fortnights")),
        ("3.", .malformedNumber),
        ("12.34.56", .malformedNumber),
        ("infinity", .infinity),
        ("99999999999999y", .tooLarge),
        ("d", .unknownUnit("d")),
        // Found by scripts/fuzz timespan: a sign with nothing after it indexed past the end.
        ("+", .malformedNumber),
        ("5d +", .malformedNumber),
    ])
    func refuses(text: String, reason: TimeSpanError.Reason) {
        #expect(throws: TimeSpanError(value: text, reason: reason)) { try TimeSpan.parse(text) }
    }

    @Test func errorNamesTheValue() {
        let error = TimeSpanError(value: "5 fortnights", reason: .unknownUnit("fortnights"))
        #expect(error.description.contains("`5 fortnights`"))
        #expect(error.description.contains("`fortnights`"))
        #expect(error.description.first?.isLowercase == true)
    }

    @Test(arguments: [
        (Int64(5_400_000_000), "1h 30min"),
        (2_592_000_000_000, "4w 2d"),
        (1_500_000, "1.500000s"),
        (1_500, "1.500ms"),
        (90_061_000_001, "1d 1h 1min 1.000001s"),
        (0, "0"),
        (1, "1us"),
        (34_187_400_000_000, "1y 1month"),
        (319_680_000_000, "3d 16h 48min"),
    ])
    func formatsLikeSystemd(microseconds: Int64, text: String) {
        #expect(TimeSpan(microseconds: microseconds).description == text)
    }

    @Test func roundTripsThroughItsDescription() throws {
        for microseconds: Int64 in [1, 999, 1_000, 61_000_000, 3_600_000_001, 31_557_600_000_000, 123_456_789_012_345] {
            let span = TimeSpan(microseconds: microseconds)
            #expect(try TimeSpan.parse(span.description) == span)
        }
    }

    static let comparedWithSystemd = [
        "1.5h", "2w 3d", "30d", "1y", "1M", "500ms", "1.5", "1h30min", "90061.000001", "0", "1us", "1y 1M",
        "3.7d", "1w2d", "45", "59.999999", "61", "3599", "86400", "1.25ms", "2.5us", "7 days", "13 months",
        "100y", "0.5w", "1min 0.5s", "12h 30m 15s", "1 hour 1 minute 1 second",
    ]

    @Test(.enabled(if: SystemdAnalyze.isAvailable, "systemd-analyze is missing (Debian package systemd)"))
    func agreesWithSystemdAnalyzeTimespan() throws {
        let result = try SystemdAnalyze.run(["timespan"] + Self.comparedWithSystemd)
        #expect(result.status == 0)
        let lines = result.standardOutput.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        let micro = lines.filter { $0.hasPrefix("us:") }.map { Int64($0.dropFirst(3).trimmingCharacters(in: .whitespaces))! }
        let human = lines.filter { $0.hasPrefix("Human:") }.map { String($0.dropFirst(6).trimmingCharacters(in: .whitespaces)) }
        #expect(micro.count == Self.comparedWithSystemd.count)
        for (index, text) in Self.comparedWithSystemd.enumerated() where index < micro.count {
            let span = try TimeSpan.parse(text)
            #expect(span.microseconds == micro[index], "\(text)")
            #expect(span.description == human[index], "\(text)")
        }
    }
}

@Suite struct TimeSpanPropertyTests {
    @Test func descriptionParsesBackToTheSameSpan() throws {
        var random = SplitMix64(seed: 99)
        for _ in 0..<5_000 {
            let span = TimeSpan(microseconds: Int64(random.next() >> UInt64(random.below(60) + 4)))
            #expect(try TimeSpan.parse(span.description) == span, "\(span.microseconds)")
        }
    }
}
