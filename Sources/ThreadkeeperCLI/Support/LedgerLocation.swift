import Foundation

/// Where the ledger file lives when no one says: the first of these that applies.
///
/// `--ledger`, else `[Ledger] Path=` of the config, else `$STATE_DIRECTORY/ledger.sqlite3`
/// when systemd sets it, else `/var/lib/threadkeeper/ledger.sqlite3` for root, else
/// `$XDG_STATE_HOME/threadkeeper/ledger.sqlite3` (`~/.local/state` when unset).
public enum LedgerLocation {
    public static func resolve(
        flag: String?, configured: String?, environment: [String: String], isRoot: Bool
    ) -> String {
        if let flag, !flag.isEmpty { return flag }
        if let configured, !configured.isEmpty { return configured }
        if let state = environment["STATE_DIRECTORY"], !state.isEmpty {
            // systemd may pass several directories separated by ':'; the first is ours.
            let first = state.split(separator: ":").first.map(String.init) ?? state
            return first + "/ledger.sqlite3"
        }
        if isRoot { return "/var/lib/threadkeeper/ledger.sqlite3" }
        let base: String
        if let xdg = environment["XDG_STATE_HOME"], xdg.hasPrefix("/") {
            base = xdg
        } else {
            base = (environment["HOME"] ?? NSHomeDirectory()) + "/.local/state"
        }
        return base + "/threadkeeper/ledger.sqlite3"
    }

    public static let defaultConfigPath = "/etc/threadkeeper/threadkeeper.conf"
}
