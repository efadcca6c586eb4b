import CommandLineKit
import Foundation
import JSON
import Rules
import UnitFile

/// `threadkeeper check [PATH…]`: validate rule files and the config, printing every finding.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate rule files and the config file, printing every finding.",
        discussion: """
            Without PATH, checks the config file (--config, else the default; a missing default \
            file is fine) and every *.rule file of the rules directory (--rules, else [Rules] \
            Directory=). A PATH may be a directory of *.rule files, a .rule file, or a config \
            file. Each finding is printed as 'file:line:column: error: message' (or 'warning:'); \
            warnings alone leave the files valid.
            """,
        options: [OptionSpec.flag("--json", help: "Print the files checked and every finding as a JSON object.")],
        positionals: [PositionalSpec("PATH", optional: true, variadic: true, help: "Rule files, rule directories or config files.")],
        examples: [
            ("threadkeeper check", "the config and every rule in /etc/threadkeeper/rules.d"),
            ("threadkeeper check rules/support-30d.rule", "one rule file before installing it"),
        ],
        exitCodes: [
            (.success, "every file is valid (warnings allowed)"),
            (.usage, "bad usage"),
            (.dataError, "a rule or config file has errors"),
            (.noInput, "a PATH or the --config file does not exist"),
        ])

    var paths: [String]
    var json: Bool

    init(arguments: ParsedArguments) throws {
        paths = arguments.positionals
        json = arguments.flag("--json")
    }

    struct Checked {
        var path: String
        var kind: String
        var rule: String?
    }

    func run(_ context: CommandContext) async throws -> ExitCode {
        let (configuration, configFindings) = try context.readConfiguration()
        var checked: [Checked] = []
        var diagnostics: [Diagnostic] = []
        var ruleFiles: [String] = []
        if paths.isEmpty {
            if let file = configuration.file {
                checked.append(Checked(path: file, kind: "config"))
                diagnostics += configFindings
            }
            let directory = context.rulesDirectory(for: configuration)
            ruleFiles = try Self.ruleFiles(in: directory)
        } else {
            for path in paths {
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                    throw CommandFailure("'\(path)' does not exist", exitCode: .noInput)
                }
                if isDirectory.boolValue {
                    ruleFiles += try Self.ruleFiles(in: path)
                } else if path.hasSuffix(".rule") {
                    ruleFiles.append(path)
                } else {
                    checked.append(Checked(path: path, kind: "config"))
                    diagnostics += Configuration.load(path: path).1
                }
            }
        }
        // Rules are checked against the configured hold key and request budget.
        let (rules, ruleFindings) = RuleSet.load(
            files: ruleFiles, hold: configuration.hold.value, budget: configuration.budget)
        diagnostics += ruleFindings
        for file in ruleFiles {
            checked.append(Checked(path: file, kind: "rule", rule: rules.first { $0.file == file }?.name))
        }
        diagnostics = diagnostics.sortedByLocation()
        let errors = diagnostics.filter(\.isError).count
        let warnings = diagnostics.count - errors
        if json {
            try printJSON(context, checked: checked, diagnostics: diagnostics, errors: errors, warnings: warnings)
        } else {
            for diagnostic in diagnostics { context.print(diagnostic.description) }
            let rulesText = ruleFiles.count == 1 ? "1 rule file" : "\(ruleFiles.count) rule files"
            let configText = checked.contains { $0.kind == "config" } ? " and the config" : ""
            let verdict = errors == 0 ? "valid" : "\(errors) error\(errors == 1 ? "" : "s")"
            let warned = warnings == 0 ? "" : ", \(warnings) warning\(warnings == 1 ? "" : "s")"
            context.standardError.line("checked \(rulesText)\(configText): \(verdict)\(warned)")
        }
        return errors == 0 ? .success : .dataError
    }

    /// The `*.rule` files of a directory, in name order.
    static func ruleFiles(in directory: String) throws -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
            throw CommandFailure("rules directory '\(directory)' does not exist or cannot be read; check --rules", exitCode: .noInput)
        }
        let base = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        return names.filter { $0.hasSuffix(".rule") && !$0.hasPrefix(".") }.sorted().map { base + "/" + $0 }
    }

    private func printJSON(_ context: CommandContext, checked: [Checked], diagnostics: [Diagnostic], errors: Int, warnings: Int) throws {
        let object: JSONValue = [
            "files": .array(
                checked.map { file -> JSONValue in
                    var entry: [String: JSONValue] = ["path": .init(file.path), "kind": .init(file.kind)]
                    if file.kind == "rule" {
                        entry["rule"] = .init(file.rule)
                        entry["valid"] = .bool(file.rule != nil)
                    } else {
                        entry["valid"] = .bool(!diagnostics.contains { $0.file == file.path && $0.isError })
                    }
                    return .init(entry)
                }),
            "diagnostics": .array(diagnostics.map { $0.jsonObject }),
            "errors": .init(errors),
            "warnings": .init(warnings),
        ]
        context.print(JSONText.encode(object))
    }
}

extension Diagnostic {
    var jsonObject: JSONValue {
        [
            "file": .init(file), "line": .init(line), "column": .init(column), "severity": .init(severity.rawValue),
            "message": .init(message),
        ]
    }
}

/// Compact JSON with sorted keys and unescaped slashes, as every `--json` prints.
enum JSONText {
    static func encode(_ value: JSONValue) -> String { JSONWriter.text(value, .sortedKeys) }
}
