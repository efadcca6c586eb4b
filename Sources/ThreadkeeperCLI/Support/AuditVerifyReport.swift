import Foundation
import JSON
import Ledger

/// What `audit --verify` prints, as lines or as one JSON object.
enum AuditVerifyReport {
    static func text(_ result: AuditVerification, journalNote: String?) -> String {
        var lines: [String] = []
        let links = result.actionLinks
        if let legacy = result.legacy {
            let brokenAt = links.firstBroken.map(\.actionID)
            let legacyIntact = brokenAt.map { $0 > legacy.lastAction } ?? true
            lines.append(
                "legacy chain: \(count(legacy.actions, "action")) and \(count(legacy.runs, "run")) written before schema 3, "
                    + (legacyIntact
                        ? "per-action links intact up to action \(legacy.lastAction)"
                        : "per-action links broken at action \(brokenAt ?? 0)")
                    + "; full chain from row 1, which re-chained them at the migration")
        }
        if let broken = result.firstBroken {
            lines.append("chain broken at \(broken.description)")
        } else {
            lines.append("chain intact: \(result.head.rows) rows, head \(result.head.hash)")
        }
        if let broken = links.firstBroken {
            lines.append("action links broken at action \(broken.actionID): \(broken.reason)")
        } else {
            lines.append("action links intact: \(links.rows) actions")
        }
        for check in result.heads {
            if let problem = check.problem {
                lines.append("head from \(check.expected.source) not found: \(problem)")
            } else {
                lines.append("head from \(check.expected.source) found at row \(check.foundAt ?? 0)")
            }
        }
        if let journalNote { lines.append(journalNote) }
        return lines.joined(separator: "\n")
    }

    private static func count(_ number: Int64, _ noun: String) -> String {
        "\(number) \(noun)\(number == 1 ? "" : "s")"
    }

    static func json(_ result: AuditVerification, journalNote: String?) -> String {
        func text(_ value: String?) -> String { value.map(JSONWriter.quoted) ?? "null" }
        func number(_ value: Int64?) -> String { value.map(String.init) ?? "null" }
        var line =
            "{\"intact\":\(result.isIntact),\"rows\":\(result.head.rows),\"head\":\"\(result.head.hash)\","
            + "\"actions\":\(result.actionLinks.rows),\"action_links_intact\":\(result.actionLinks.isIntact)"
        if let broken = result.firstBroken {
            line +=
                ",\"first_broken\":{\"row\":\(number(broken.seq)),\"fact\":\(text(broken.fact)),\"reason\":\(text(broken.reason))}"
        }
        if let broken = result.actionLinks.firstBroken {
            line += ",\"first_broken_action\":{\"id\":\(broken.actionID),\"reason\":\(text(broken.reason))}"
        }
        if let legacy = result.legacy {
            line +=
                ",\"legacy\":{\"runs\":\(legacy.runs),\"actions\":\(legacy.actions),\"last_action\":\(legacy.lastAction)}"
        }
        let heads = result.heads.map { check in
            "{\"source\":\(text(check.expected.source)),\"rows\":\(number(check.expected.rows)),"
                + "\"hash\":\"\(check.expected.hash)\",\"found_at\":\(number(check.foundAt)),\"problem\":\(text(check.problem))}"
        }
        line += ",\"heads\":[\(heads.joined(separator: ","))]"
        line += ",\"journal_note\":\(text(journalNote))"
        return line + "}"
    }
}
