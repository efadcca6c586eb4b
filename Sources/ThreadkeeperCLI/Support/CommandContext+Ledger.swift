import Foundation
import Ledger

extension CommandContext {
    /// The ledger path this invocation uses: `--ledger`, else `configured` (the config's
    /// `[Ledger] Path=`), else the environment's default (see `LedgerLocation`).
    public func ledgerPath(configured: String? = nil) -> String {
        LedgerLocation.resolve(
            flag: shared.ledgerPath, configured: configured, environment: environment, isRoot: geteuid() == 0)
    }

    /// Opens the ledger, creating and migrating it unless `readOnly`.
    ///
    /// A read-only open needs an existing ledger: commands that only read (`status`,
    /// `export`, `audit`, `backup`) never create an empty one by accident.
    public func openLedger(readOnly: Bool = false, configured: String? = nil) throws -> Ledger {
        try Ledger(path: ledgerPath(configured: configured), readOnly: readOnly)
    }
}
