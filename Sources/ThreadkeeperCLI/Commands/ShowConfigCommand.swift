import CommandLineKit
import Foundation
import JSON
import Rules

/// `threadkeeper show-config`: the effective configuration and where each value came from.
struct ShowConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show-config",
        abstract: "Print the effective configuration with where each value came from.",
        discussion: """
            Prints every setting of [API], [Ledger], [Rules] and [Daemon] as Key=value, each \
            followed by its origin in parentheses: default, file:line, a flag or an environment variable. \
            The API key is never printed, only where it would be read from; header values whose \
            name suggests a secret are redacted too.
            """,
        options: [OptionSpec.flag("--json", help: "Print a JSON object: section → key → {value, origin}.")],
        exitCodes: [
            (.success, "success"), (.usage, "bad usage"), (.dataError, "the config file has errors"),
            (.noInput, "the --config file does not exist"),
        ])

    var json: Bool

    init(arguments: ParsedArguments) throws {
        json = arguments.flag("--json")
    }

    struct Row {
        var section: String
        var key: String
        var value: String
        var origin: String
    }

    static let redacted = "<redacted>"

    /// Header names whose values are secrets in practice.
    static func isSecretHeader(_ name: String) -> Bool {
        let lower = name.lowercased()
        return ["key", "token", "auth", "secret", "cookie", "password"].contains { lower.contains($0) }
    }

    /// `keyFound`: whether the key loads from `keySource`; without one the row says `none`.
    static func rows(_ c: Configuration, keySource: String, keyFound: Bool = true, ledger: String) -> [Row] {
        func row<V>(_ section: String, _ key: String, _ setting: Setting<V>, _ text: String) -> Row {
            Row(section: section, key: key, value: text, origin: setting.origin.description)
        }
        var rows: [Row] = [
            row("API", "Provider", c.provider, c.provider.value.rawValue),
            row("API", "BaseURL", c.baseURL, c.baseURL.value),
            row("API", "ApiKeyFile", c.apiKeyFile, c.apiKeyFile.value ?? ""),
            Row(section: "API", key: "ApiKey", value: keyFound ? Self.redacted : "none", origin: keySource),
            row("API", "RequestsPerSecond", c.requestsPerSecond, Self.number(c.requestsPerSecond.value)),
            row("API", "Burst", c.burst, c.burst.value.map(String.init) ?? ""),
            row("API", "Concurrency", c.concurrency, String(c.concurrency.value)),
            row("API", "Timeout", c.timeout, c.timeout.value.description),
            row("API", "UserAgent", c.userAgent, c.userAgent.value),
        ]
        for header in c.headers.value {
            let value = isSecretHeader(header.name) ? Self.redacted : header.value
            rows.append(Row(section: "API", key: "Header", value: "\(header.name): \(value)", origin: c.headers.origin.description))
        }
        rows += [
            row("API", "AllowInsecure", c.allowInsecure, c.allowInsecure.value ? "yes" : "no"),
            row("Ledger", "Path", c.ledgerPath, ledger),
            row("Rules", "Directory", c.rulesDirectory, c.rulesDirectory.value),
            row("Rules", "Hold", c.hold, c.hold.value),
            row("Daemon", "RunMissed", c.runMissed, c.runMissed.value ? "yes" : "no"),
            row("Metrics", "TextfileDirectory", c.metricsDirectory, c.metricsDirectory.value ?? ""),
            row("Metrics", "Interval", c.metricsInterval, c.metricsInterval.value.description),
        ]
        return rows
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    func run(_ context: CommandContext) async throws -> ExitCode {
        let configuration = try context.loadConfiguration()
        // Loaded only to say whether there is one; the value is never printed.
        var keySource = context.apiKeySource(for: configuration)
        var keyFound = true
        do {
            _ = try context.loadAPIKey(configuration)
        } catch {
            keyFound = false
            if !keySource.hasPrefix("none") { keySource += ": \(error)" }
        }
        let rows = Self.rows(
            configuration, keySource: keySource, keyFound: keyFound, ledger: context.ledgerPath(for: configuration))
        if json {
            var sections: [String: [String: JSONValue]] = [:]
            for row in rows {
                let entry: JSONValue = ["value": .init(row.value), "origin": .init(row.origin)]
                if row.key == "Header" {
                    var list: [JSONValue] = []
                    if case .array(let earlier)? = sections[row.section]?["Header"] { list = earlier }
                    list.append(entry)
                    sections[row.section, default: [:]]["Header"] = .array(list)
                } else {
                    sections[row.section, default: [:]][row.key] = entry
                }
            }
            var object = sections.mapValues(JSONValue.init)
            object["file"] = .init(configuration.file)
            context.print(JSONText.encode(.init(object)))
            return .success
        }
        context.print(
            configuration.file.map { "config file: \($0)" } ?? "config file: none at \(context.configurationPath), defaults apply")
        let width = rows.map { $0.key.count + 1 + $0.value.count }.max() ?? 0
        var section = ""
        for row in rows {
            if row.section != section {
                section = row.section
                context.print("\n[\(section)]")
            }
            let assignment = "\(row.key)=\(row.value)"
            context.print(assignment.padding(toLength: max(width, assignment.count), withPad: " ", startingAt: 0) + "  (\(row.origin))")
        }
        return .success
    }
}
