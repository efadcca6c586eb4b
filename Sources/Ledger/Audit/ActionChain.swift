/// The per-action links of the action log (`actions.prev_hash`, `actions.hash`), the only
/// chain up to schema 2; every action still carries them.
///
/// They cover each action's own fields but not runs, and nothing after a row depends on its
/// outcome, so a rewritten outcome with its hash recomputed passes them: `AuditChain` is the
/// chain that covers everything (docs/AUDIT.md).
///
/// Each field is written as `<byte count>:<bytes>` (NULL as `-`) and fields are joined by
/// `|`, so no two rows can encode alike. For row *n*:
///
///     intent(n) = SHA256("threadkeeper-action-v1|" prev_hash | id | run_id | thread_id | action | reason | intent_at)
///     hash(n)   = intent(n)                                  while the row is open
///     hash(n)   = SHA256(intent(n) | outcome | http_status | request_id | attempts | error | settled_at)  once settled
///     prev_hash(n) = intent(n - 1), or 64 zeros for the first row
///
/// The previous row's *intent* digest links the chain because rows settle out of order:
/// an outcome is written after later intents already point back. Anyone can recompute
/// this from the `sqlite3` shell's output; `threadkeeper audit --verify` does.
public enum ActionChain {
    /// `prev_hash` of the first row.
    public static let genesis = String(repeating: "0", count: 64)

    /// The digest of a row's intent fields.
    public static func intentDigest(
        prevHash: String, id: Int64, runID: Int64, threadID: String, action: String, reason: String, intentAt: Int64
    ) -> String {
        var text = "threadkeeper-action-v1"
        for field in [prevHash, String(id), String(runID), threadID, action, reason, String(intentAt)] {
            append(field, to: &text)
        }
        return SHA256.hex(of: text)
    }

    /// The `hash` of a settled row.
    public static func settledHash(
        intentDigest: String, outcome: String, httpStatus: Int64?, requestID: String?, attempts: Int64, error: String?,
        settledAt: Int64?
    ) -> String {
        var text = intentDigest
        for field in [outcome, httpStatus.map(String.init), requestID, String(attempts), error, settledAt.map(String.init)] {
            append(field, to: &text)
        }
        return SHA256.hex(of: text)
    }

    /// The intent digest of a stored row.
    static func intentDigest(_ row: ActionRecord) -> String {
        intentDigest(
            prevHash: row.prevHash, id: row.id, runID: row.runID, threadID: row.threadID, action: row.action,
            reason: row.reason, intentAt: row.intentAt)
    }

    /// The `hash` a stored row must carry given its content.
    static func expectedHash(_ row: ActionRecord) -> String {
        let intent = intentDigest(row)
        guard let outcome = row.outcome else { return intent }
        return settledHash(
            intentDigest: intent, outcome: outcome.rawValue, httpStatus: row.httpStatus.map(Int64.init),
            requestID: row.requestID, attempts: Int64(row.attempts), error: row.error, settledAt: row.settledAt)
    }

    private static func append(_ field: String?, to text: inout String) {
        text += "|"
        guard let field else {
            text += "-"
            return
        }
        text += "\(field.utf8.count):"
        text += field
    }
}

/// The result of walking the hash chain.
public struct ChainVerification: Sendable, Hashable {
    /// Rows checked.
    public var rows: Int
    /// The `hash` of the last row.
    public var head: String
    /// The first row that does not fit, or nil when the whole chain holds.
    public var firstBroken: BrokenLink?

    public var isIntact: Bool { firstBroken == nil }
}

/// A row of the action log whose content or link does not match.
public struct BrokenLink: Sendable, Hashable {
    public var actionID: Int64
    /// What does not match, in words.
    public var reason: String
}
