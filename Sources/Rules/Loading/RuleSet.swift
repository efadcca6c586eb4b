import Foundation
import UnitFile

/// The rules of a directory: every `*.rule` file, in name order.
///
/// A rule file that is a symbolic link to `/dev/null` is masked, as systemd masks units.
///
/// Loading never stops at a bad file: every finding of every file is returned, and the
/// rules without errors load and run while the broken ones are left out.
public enum RuleSet {
    /// The metadata key that holds a thread back from every destructive rule when the config sets no `Hold=`.
    public static let defaultHold = "legal_hold"

    /// Loads every `*.rule` file in `directory`; a missing or unreadable directory is a finding.
    public static func load(
        directory: String, hold: String = RuleSet.defaultHold, budget: RuleBudget? = nil,
        now: Int64 = Int64(Date().timeIntervalSince1970)
    ) -> (rules: [Rule], diagnostics: [Diagnostic]) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else {
            return ([], [.whole(directory, "the rules directory does not exist; create it or pass --rules DIR")])
        }
        guard isDirectory.boolValue else {
            return ([], [.whole(directory, "not a directory; --rules and [Rules] Directory= name a directory of *.rule files")])
        }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            return ([], [.whole(directory, "cannot read the rules directory: \(error.localizedDescription)")])
        }
        let files = names.filter { $0.hasSuffix(".rule") && !$0.hasPrefix(".") }.sorted()
            .map { directory.hasSuffix("/") ? directory + $0 : directory + "/" + $0 }
        return load(files: files, hold: hold, budget: budget, now: now)
    }

    /// Loads the given rule files; an unreadable file is a finding about that file.
    public static func load(
        files: [String], hold: String = RuleSet.defaultHold, budget: RuleBudget? = nil,
        now: Int64 = Int64(Date().timeIntervalSince1970)
    ) -> (rules: [Rule], diagnostics: [Diagnostic]) {
        var rules: [Rule] = []
        var diagnostics: [Diagnostic] = []
        var seen: [String: String] = [:]
        for file in files {
            // As with units, a rule symlinked to /dev/null is masked: left out, silently.
            if (try? FileManager.default.destinationOfSymbolicLink(atPath: file)) == "/dev/null" { continue }
            guard let data = FileManager.default.contents(atPath: file) else {
                diagnostics.append(.whole(file, UnreadableFile.message(file, kind: "rule file")))
                continue
            }
            let (rule, findings) = Rule.parse(bytes: Array(data), file: file, hold: hold, budget: budget, now: now)
            diagnostics += findings
            guard let rule else { continue }
            if let other = seen[rule.name] {
                diagnostics.append(.whole(file, "a rule named `\(rule.name)` was already loaded from \(other); rule names must be unique"))
                continue
            }
            seen[rule.name] = file
            rules.append(rule)
        }
        return (rules, diagnostics)
    }
}

/// Rule or config files with errors: every finding, for `check` and for refusing to start.
public struct RuleError: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [Diagnostic]

    public init(diagnostics: [Diagnostic]) { self.diagnostics = diagnostics }

    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}
