import Foundation
import Journal
import Ledger

/// A run of the ledger for actions a person asked for by hand (`delete`, `tag`, `untag`).
///
/// Recorded like a rule's run, so `audit` shows manual actions beside scheduled ones: the
/// run's rule is `manual`, its text the command line; each intent is durable before the
/// call, each outcome settled after it.
struct ManualRun {
    static let ruleName = "manual"

    let ledger: Ledger
    let id: Int64
    /// Where the chain head goes when the run ends.
    let logger: Logger?

    /// Begins a run whose rule text is `commandLine` (`threadkeeper delete thread_a thread_b`).
    static func begin(_ ledger: Ledger, commandLine: String, matched: Int, logger: Logger? = nil) throws -> ManualRun {
        let start = RunStart(
            rule: ruleName, ruleDigest: SHA256.hex(of: commandLine), ruleText: commandLine, trigger: .manual)
        return ManualRun(ledger: ledger, id: try ledger.beginRun(start, matched: matched), logger: logger)
    }

    /// Writes the intents; they are on disk when this returns.
    func intend(_ intents: [ActionIntent]) throws -> [Int64] {
        try ledger.recordIntents(runID: id, intents)
    }

    func settle(_ settlements: [ActionSettlement]) throws {
        try ledger.settle(settlements)
    }

    /// Ends the run and writes the chain head to `logger`, as a rule's run does.
    @discardableResult
    func finish(_ status: RunStatus) throws -> RunRecord {
        let run = try ledger.finishRun(id: id, status: status)
        if let logger {
            let head = try ledger.chainHead()
            logger.chainHead(rule: Self.ruleName, run: id, ledger: ledger.resolvedPath, rows: head.rows, head: head.hash)
        }
        return run
    }
}
