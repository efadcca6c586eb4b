import CommandLineKit
import Foundation
import JSON
import Schedule

/// `threadkeeper calendar`: normalise a calendar expression and list its next elapses.
struct CalendarCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calendar",
        abstract: "Show the normalized form and next elapses of OnCalendar= expressions.",
        discussion: """
            Prints the same lines as `systemd-analyze calendar` (Original form, Normalized form, \
            Next elapse, (in UTC), From now, Iter. #N), so a schedule can be checked against systemd \
            and scripts can read either. Elapses are shown in the local time zone (TZ); the \
            "(in UTC)" lines appear when that zone is not UTC. --base-time takes a systemd timestamp \
            (`2026-01-31 12:00 UTC`, `@1767225600`, `tomorrow`). --json prints an array with one \
            object per expression: original, normalized, timezone and elapses (each with unix_usec, \
            local and utc).
            """,
        options: [
            OptionSpec("--iterations", value: "N", help: "How many elapses to show (default 1)."),
            OptionSpec("--base-time", value: "TIMESTAMP", help: "Compute elapses after this time instead of now."),
            OptionSpec.flag("--json", help: "Print a JSON array."),
        ],
        positionals: [PositionalSpec("EXPR", variadic: true, help: "A calendar expression, e.g. 'Mon..Fri *-*-* 03:00 UTC'.")],
        exitCodes: [
            (.success, "success"),
            (.usage, "bad usage: unknown option, bad --iterations or --base-time"),
            (.dataError, "an expression is not a valid calendar expression"),
        ])

    var expressions: [String]
    var iterations: Int
    var baseTime: String?
    var json: Bool

    init(arguments: ParsedArguments) throws {
        expressions = arguments.positionals
        iterations = try arguments.integer("--iterations", minimum: 1) ?? 1
        baseTime = arguments.value("--base-time")
        json = arguments.flag("--json")
    }

    func run(_ context: CommandContext) async throws -> ExitCode {
        let localZone = ZoneRules.local
        let nowMicroseconds = Int64((Date().timeIntervalSince1970 * 1_000_000).rounded(.down))
        var base = nowMicroseconds
        if let baseTime {
            do {
                base = try Timestamp.parseMicroseconds(baseTime, now: nowMicroseconds, zone: localZone)
            } catch let error as TimestampError {
                throw UsageError("option '--base-time': \(error.description)", command: "calendar")
            }
        }
        if json {
            let specs = try expressions.map { try CalendarSpec.parse($0) }
            let objects: [JSONValue] = zip(expressions, specs).map { expression, spec in
                let elapses = spec.elapses(afterMicroseconds: base, count: iterations, localZone: localZone)
                return [
                    "original": .init(expression),
                    "normalized": .init(spec.normalized),
                    "timezone": .init(spec.timeZone?.identifier ?? localZone.identifier),
                    "elapses": .array(
                        elapses.map { elapse -> JSONValue in
                            [
                                "unix_usec": .init(elapse),
                                "local": .init(localZone.format(microseconds: elapse)),
                                "utc": .init(ZoneRules.utc.format(microseconds: elapse)),
                            ]
                        }),
                ]
            }
            context.print(JSONWriter.text(.array(objects), [.sortedKeys, .prettyPrinted]))
            return .success
        }
        // Like systemd-analyze, a bad expression is reported and the others are still shown.
        // A blank line follows every expression but the last, printed or not, as systemd-analyze does.
        var failed = false
        for (position, expression) in expressions.enumerated() {
            defer { if position < expressions.count - 1 { context.print("") } }
            let spec: CalendarSpec
            do { spec = try CalendarSpec.parse(expression) } catch let error as CalendarSpecError {
                context.warn(error.description)
                failed = true
                continue
            }
            for line in Self.lines(
                expression: expression, spec: spec, base: base, now: nowMicroseconds, iterations: iterations,
                localZone: localZone)
            {
                context.print(line)
            }
        }
        return failed ? .dataError : .success
    }

    /// The lines `systemd-analyze calendar` prints for one expression.
    static func lines(
        expression: String, spec: CalendarSpec, base: Int64, now: Int64, iterations: Int, localZone: ZoneRules
    ) -> [String] {
        func label(_ text: String) -> String {
            String(repeating: " ", count: max(0, 15 - text.count)) + text + ": "
        }
        // systemd shows the original only when normalising changed it.
        var lines = expression == spec.normalized ? [] : [label("Original form") + expression]
        lines.append(label("Normalized form") + spec.normalized)
        let elapses = spec.elapses(afterMicroseconds: base, count: iterations, localZone: localZone)
        if elapses.isEmpty {
            lines.append(label("Next elapse") + "never")
            return lines
        }
        for (index, elapse) in elapses.enumerated() {
            lines.append(label(index == 0 ? "Next elapse" : "Iter. #\(index + 1)") + localZone.format(microseconds: elapse))
            if !localZone.isAlwaysUTC {
                lines.append(label("(in UTC)") + ZoneRules.utc.format(microseconds: elapse))
            }
            lines.append(label("From now") + Timestamp.formatRelative(microseconds: elapse, now: now))
        }
        return lines
    }
}
