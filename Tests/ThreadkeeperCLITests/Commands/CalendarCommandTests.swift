import Foundation
import TestSupport
import Testing

/// Runs `threadkeeper calendar` the way a user does, and diffs it with `systemd-analyze calendar`.
struct CalendarCommandTests {
    static let systemdAnalyze = ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    static func environment(zone: String) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["TZ"] = zone
        environment["LC_ALL"] = "C"
        environment["SYSTEMD_COLORS"] = "0"
        return environment
    }

    static let golden = [
        "daily", "Mon..Fri *-*-* 03:00 UTC", "*-*~01 12:00", "*-02-29 06:00", "*-*-* 02:30 Europe/Berlin",
        "quarterly America/New_York", "*:0/20:0.5",
    ]

    @Test(
        .enabled(if: systemdAnalyze != nil, "systemd-analyze is missing (Debian package systemd)"),
        arguments: ["UTC", "Europe/Berlin", "America/New_York"])
    func printsWhatSystemdAnalyzePrints(zone: String) throws {
        let arguments = ["calendar", "--iterations=4", "--base-time=2026-03-28 23:59:59 UTC"] + Self.golden
        let ours = try ProcessRunner.threadkeeper(arguments, environment: Self.environment(zone: zone))
        let theirs = try ProcessRunner.run(Self.systemdAnalyze!, arguments, environment: Self.environment(zone: zone))
        #expect(ours.status == 0)
        #expect(theirs.status == 0)
        func comparable(_ output: String) -> [String] {
            output.components(separatedBy: "\n").filter { !$0.hasPrefix("       From now: ") }
        }
        #expect(comparable(ours.standardOutput) == comparable(theirs.standardOutput))
        let fromNow = ours.standardOutput.components(separatedBy: "\n").filter { $0.hasPrefix("       From now: ") }
        #expect(fromNow.count == 4 * Self.golden.count)
        #expect(fromNow.allSatisfy { $0.hasSuffix(" ago") || $0.hasSuffix(" left") })
    }

    @Test func jsonListsElapses() throws {
        let result = try ProcessRunner.threadkeeper(
            ["calendar", "--json", "--iterations", "2", "--base-time", "2026-01-31 12:00 UTC", "*-*~01 03:00 UTC"],
            environment: Self.environment(zone: "Europe/Berlin"))
        #expect(result.status == 0)
        let objects = try #require(
            try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [[String: Any]])
        #expect(objects.count == 1)
        #expect(objects.first?["normalized"] as? String == "*-*~01 03:00:00 UTC")
        #expect(objects.first?["timezone"] as? String == "UTC")
        let elapses = try #require(objects.first?["elapses"] as? [[String: Any]])
        #expect(elapses.map { $0["utc"] as? String } == ["Sat 2026-02-28 03:00:00 UTC", "Tue 2026-03-31 03:00:00 UTC"])
        #expect(elapses.map { $0["local"] as? String } == ["Sat 2026-02-28 04:00:00 CET", "Tue 2026-03-31 05:00:00 CEST"])
        #expect(elapses.first?["unix_usec"] as? Int64 == 1_772_247_600_000_000)
    }

    @Test func badExpressionIsReportedAndTheOthersStillShown() throws {
        let result = try ProcessRunner.threadkeeper(
            ["calendar", "--base-time", "2026-01-01 UTC", "*-*-* 25:00", "daily"], environment: Self.environment(zone: "UTC"))
        #expect(result.status == 65)
        #expect(result.standardError.contains("hour `25` in calendar expression `*-*-* 25:00`"))
        #expect(result.standardOutput.contains("Normalized form: *-*-* 00:00:00"))
        #expect(result.standardOutput.contains("    Next elapse: Thu 2026-01-01 00:00:00 UTC") == false)
        #expect(result.standardOutput.contains("    Next elapse: Fri 2026-01-02 00:00:00 UTC"))
    }

    @Test(arguments: [["--iterations", "0", "daily"], ["--base-time", "next tuesday", "daily"], ["--bogus", "daily"], []])
    func badUsageExits64(arguments: [String]) throws {
        let result = try ProcessRunner.threadkeeper(["calendar"] + arguments, environment: Self.environment(zone: "UTC"))
        #expect(result.status == 64)
        #expect(result.standardOutput.isEmpty)
    }

    @Test func neverElapsingExpression() throws {
        let result = try ProcessRunner.threadkeeper(["calendar", "2020-01-01"], environment: Self.environment(zone: "UTC"))
        #expect(result.status == 0)
        #expect(result.standardOutput == "  Original form: 2020-01-01\nNormalized form: 2020-01-01 00:00:00\n    Next elapse: never\n")
    }
}
