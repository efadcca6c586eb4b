import Journal
import Ledger

/// The chain head the last run on a ledger wrote to the journal (`MessageID.chainHead`).
enum AuditJournal {
    enum Lookup {
        case found(ExpectedHead)
        /// Nothing to compare with, and why.
        case none(String)
        case unreadable(String)
    }

    /// The newest chain-head entry for the ledger file at `ledger` (its resolved path).
    static func lastHead(ledger: String, directory: String?) -> Lookup {
        let fields: [String: String]?
        do {
            fields = try JournalReader.newestEntry(
                matching: ["MESSAGE_ID": MessageID.chainHead.hex, "THREADKEEPER_LEDGER": ledger], directory: directory)
        } catch {
            return .unreadable("journal: not read (\(error)); cut rows cannot be told without a head kept elsewhere (--head)")
        }
        guard let fields else {
            return .none(
                "journal: no chain head of '\(ledger)' found (a copy, or a ledger no run has finished on since schema 3, "
                    + "or a journal this user may not read); cut rows cannot be told without one (--head)")
        }
        guard let rowsText = fields["THREADKEEPER_CHAIN_ROWS"], let rows = Int64(rowsText),
            let hash = fields["THREADKEEPER_CHAIN_HEAD"]
        else {
            return .unreadable("journal: the newest chain head entry of '\(ledger)' lacks its row count or hash")
        }
        let run = fields["THREADKEEPER_RUN"].map { " (run \($0))" } ?? ""
        return .found(ExpectedHead(source: "the journal's last head\(run)", rows: rows, hash: hash))
    }
}
