import CommandLineKit
import Foundation
import Ledger
import Rules

extension CommandContext {
    /// The ledger path this invocation uses: `--ledger`, else `configured` (the config's
    /// `[Ledger] Path=`), else the environment's default (see `LedgerLocation`).
    public func ledgerPath(configured: String? = nil) -> String {
        LedgerLocation.resolve(
            flag: shared.ledgerPath, configured: configured, environment: environment, isRoot: ServiceAccount.usesServiceState)
    }

    /// Opens the ledger, creating and migrating it unless `readOnly`.
    ///
    /// A read-only open needs an existing ledger: commands that only read (`status`,
    /// `export`, `audit`, `backup`) never create an empty one by accident. Without
    /// `configured`, the config file's `[Ledger] Path=` applies (a bad config file throws).
    public func openLedger(readOnly: Bool = false, configured: String? = nil) throws -> Ledger {
        let path = try configured.map { ledgerPath(configured: $0) } ?? ledgerPath(for: loadConfiguration())
        return try openLedger(at: path, readOnly: readOnly)
    }

    /// Opens the ledger `configuration` names, for a command that has read the config already
    /// (reading it again would print its warnings twice).
    func openLedger(_ configuration: Configuration, readOnly: Bool = false) throws -> Ledger {
        try openLedger(at: ledgerPath(for: configuration), readOnly: readOnly)
    }

    private func openLedger(at path: String, readOnly: Bool) throws -> Ledger {
        if !readOnly { try ServiceAccount.refuseRootWriting(ledgerPath: path, context: self) }
        return try Ledger(path: path, readOnly: readOnly)
    }
}
