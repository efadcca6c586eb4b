/// The one hash chain over everything the ledger records about what was done.
///
/// Each fact gets a row of the `chain` table in the order it was written: a run's record
/// (`run`), each action's intent (`intent`), each outcome (`outcome`) and each run's end
/// (`end`). The row names the fact by `kind` and `ref` (the run's or the action's id) and
/// carries the hash of the row before it, so changing a fact, or inserting, removing or
/// reordering a row, breaks the chain from that row on. For row *n*:
///
///     line(n) = "threadkeeper-chain-v1" | prev_hash | seq | kind | ref | field | field | …
///     hash(n) = lower-case hex SHA-256 of line(n)'s bytes (no newline)
///     prev_hash(n) = hash(n - 1), or 64 zeros for row 1
///
/// Fields are joined by `|`; a text field is the lower-case hex of its UTF-8 bytes (what
/// SQLite's `lower(hex(x))` gives), an integer is in decimal, NULL is `-`. The line is thus
/// plain ASCII without `|` inside a field, so an auditor can build it in the `sqlite3` shell
/// and hash it with `sha256sum` (docs/AUDIT.md, docs/audit-verify.sh).
public enum AuditChain {
    /// `prev_hash` of the first row.
    public static let genesis = String(repeating: "0", count: 64)
    /// The first field of every line: names the format, so a later format cannot be confused with it.
    public static let formatTag = "threadkeeper-chain-v1"

    /// What a chain row covers.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// A `runs` row's record: rule, rule_digest, rule_text, trigger, dry_run, started_at.
        case run
        /// An `actions` row's intent: run_id, thread_id, action, reason, intent_at, and object
        /// when the row has one (written since schema 5).
        case intent
        /// An `actions` row's outcome: outcome, http_status, request_id, attempts, error, settled_at.
        case outcome
        /// A `runs` row's end: status, finished_at, matched, done, gone, skipped, failed.
        case end
        /// Where the chain took over from the per-action links of schema 2 (the `chain` row's `note`).
        case migration
    }

    /// One field of a line.
    public enum Field: Sendable, Hashable {
        case text(String?)
        case integer(Int64?)

        var encoded: String {
            switch self {
            case .text(let value): value.map(hexUTF8) ?? "-"
            case .integer(let value): value.map(String.init) ?? "-"
            }
        }
    }

    /// The `hash` of a row.
    public static func hash(prevHash: String, seq: Int64, kind: Kind, ref: Int64, fields: [Field]) -> String {
        SHA256.hex(of: line(prevHash: prevHash, seq: seq, kind: kind, ref: ref, fields: fields))
    }

    /// The text whose SHA-256 is the row's `hash`.
    public static func line(prevHash: String, seq: Int64, kind: Kind, ref: Int64, fields: [Field]) -> String {
        var text = "\(formatTag)|\(prevHash)|\(seq)|\(kind.rawValue)|\(ref)"
        for field in fields {
            text += "|"
            text += field.encoded
        }
        return text
    }

    static func runFields(_ run: RunRecord) -> [Field] {
        [
            .text(run.rule), .text(run.ruleDigest), .text(run.ruleText), .text(run.trigger.rawValue),
            .integer(run.dryRun ? 1 : 0), .integer(run.startedAt),
        ]
    }

    static func endFields(_ run: RunRecord) -> [Field] {
        let counts = run.counts
        return [
            .text(run.status.rawValue), .integer(run.finishedAt), .integer(Int64(counts.matched)), .integer(Int64(counts.done)),
            .integer(Int64(counts.gone)), .integer(Int64(counts.skipped)), .integer(Int64(counts.failed)),
        ]
    }

    static func intentFields(_ action: ActionRecord) -> [Field] {
        let fields: [Field] = [
            .integer(action.runID), .text(action.threadID), .text(action.action), .text(action.reason), .integer(action.intentAt),
        ]
        // Rows from before schema 5 have no kind and keep the line they were chained with; a
        // kind set or cleared afterwards changes the number of fields, so it breaks the row.
        guard let object = action.object else { return fields }
        return fields + [.text(object.rawValue)]
    }

    static func outcomeFields(_ action: ActionRecord) -> [Field] {
        [
            .text(action.outcome?.rawValue), .integer(action.httpStatus.map(Int64.init)), .text(action.requestID),
            .integer(Int64(action.attempts)), .text(action.error), .integer(action.settledAt),
        ]
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    static func hexUTF8(_ text: String) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count * 2)
        for byte in text.utf8 {
            bytes.append(hexDigits[Int(byte >> 4)])
            bytes.append(hexDigits[Int(byte & 0x0f)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// The end of the chain: how many rows it has and the last one's hash.
public struct ChainHead: Sendable, Hashable {
    public var rows: Int64
    public var hash: String

    public init(rows: Int64, hash: String) {
        self.rows = rows
        self.hash = hash
    }
}
