import Foundation
import Testing

@testable import Schedule

/// Compares normalized forms and the next 10 elapses with `systemd-analyze calendar` (systemd 252
/// here), for every expression of `CalendarCorpus` at base times on leap days, month and year ends,
/// and both DST changes of Europe/Berlin and America/New_York (also past 2037, where tzdata's rules
/// take over from its transition lists), with the process zone set to UTC and
/// to those named zones. Each case is one batched `systemd-analyze` run; the cases run in parallel.
@Suite struct SystemdCalendarComparisonTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var baseTime: String
        var processZone: String
        var testDescription: String { "\(baseTime) with TZ=\(processZone)" }
    }

    static let cases = [
        Case(baseTime: "2024-02-28 23:59:59 UTC", processZone: "UTC"),
        Case(baseTime: "2028-02-29 12:00:00 UTC", processZone: "UTC"),
        Case(baseTime: "2025-12-31 23:59:59 UTC", processZone: "America/New_York"),
        Case(baseTime: "2026-01-31 12:00:00 UTC", processZone: "Europe/Berlin"),
        Case(baseTime: "2026-03-29 00:30:00 UTC", processZone: "Europe/Berlin"),
        Case(baseTime: "2026-10-25 00:15:00 UTC", processZone: "Europe/Berlin"),
        Case(baseTime: "2026-03-08 06:30:00 UTC", processZone: "America/New_York"),
        Case(baseTime: "2026-11-01 05:30:00 UTC", processZone: "America/New_York"),
        Case(baseTime: "2026-04-30 23:59:59 UTC", processZone: "UTC"),
        // After 2037 tzdata's transition lists end and the zones' POSIX rules take over.
        Case(baseTime: "2038-03-28 00:30:00 UTC", processZone: "Europe/Berlin"),
        Case(baseTime: "2040-11-04 05:30:00 UTC", processZone: "America/New_York"),
    ]

    static let iterations = 10

    @Test func corpusIsLargeEnough() throws {
        #expect(CalendarCorpus.all.count >= 250)
        let valid = CalendarCorpus.all.filter { (try? CalendarSpec.parse($0)) != nil }
        #expect(valid.count >= 200)
    }

    @Test(
        .enabled(if: SystemdAnalyze.isAvailable, "systemd-analyze is missing (Debian package systemd)"),
        arguments: cases)
    func agreesWithSystemdAnalyzeCalendar(_ testCase: Case) throws {
        let expressions = CalendarCorpus.all
        let result = try SystemdAnalyze.run(
            ["calendar", "--iterations=\(Self.iterations)", "--base-time=\(testCase.baseTime)"] + expressions,
            timeZone: testCase.processZone)
        let groups = Self.groups(result.standardOutput)
        try #require(groups.count == expressions.count, "one block per expression, stderr: \(result.standardError)")

        let localZone = try #require(ZoneRules.named(testCase.processZone))
        let base = try Timestamp.parse(testCase.baseTime, now: 0, zone: .utc) * 1_000_000
        var mismatches = 0
        var compared = 0
        for (expression, systemdLines) in zip(expressions, groups) {
            let spec: CalendarSpec
            do { spec = try CalendarSpec.parse(expression, localZone: localZone) } catch {
                #expect(systemdLines.isEmpty, "systemd accepts `\(expression)`, we refuse it: \(error)")
                continue
            }
            let ours = Self.lines(expression: expression, spec: spec, base: base, localZone: localZone)
            let theirs = systemdLines.filter { !$0.hasPrefix("       From now:") }
            compared += 1
            if ours != theirs {
                mismatches += 1
                if mismatches <= 10 {
                    Issue.record("`\(expression)`:\nsystemd:\n\(theirs.joined(separator: "\n"))\nours:\n\(ours.joined(separator: "\n"))")
                }
            }
        }
        #expect(mismatches == 0)
        #expect(compared >= 200)
    }

    /// Splits the output into one group of lines per expression (empty for a refused one).
    static func groups(_ output: String) -> [[String]] {
        var groups: [[String]] = [[]]
        var lines = output.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        for line in lines {
            if line.isEmpty { groups.append([]) } else { groups[groups.count - 1].append(line) }
        }
        return groups
    }

    /// What `systemd-analyze calendar` prints for one expression, without the "From now" lines.
    static func lines(expression: String, spec: CalendarSpec, base: Int64, localZone: ZoneRules) -> [String] {
        func label(_ text: String) -> String { String(repeating: " ", count: 15 - text.count) + text + ": " }
        var lines = expression == spec.normalized ? [] : [label("Original form") + expression]
        lines.append(label("Normalized form") + spec.normalized)
        let elapses = spec.elapses(afterMicroseconds: base, count: iterations, localZone: localZone)
        if elapses.isEmpty { lines.append(label("Next elapse") + "never") }
        for (index, elapse) in elapses.enumerated() {
            lines.append(label(index == 0 ? "Next elapse" : "Iter. #\(index + 1)") + localZone.format(microseconds: elapse))
            if !localZone.isAlwaysUTC { lines.append(label("(in UTC)") + ZoneRules.utc.format(microseconds: elapse)) }
        }
        return lines
    }
}
