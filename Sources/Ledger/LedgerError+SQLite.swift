import SQLite

extension LedgerError {
    /// The ledger's reading of an SQLite failure: its kind, and what to do about the file.
    ///
    /// The one place an `SQLiteError` becomes a `LedgerError`; `LedgerFile.translate`, which
    /// every use of the ledger's connection goes through, calls it.
    init(_ error: SQLiteError) {
        let kind = Self.kind(of: error.code)
        if error.extendedCode == SQLiteError.readOnlyRollback {
            self.init(
                kind,
                "'\(error.path)': an interrupted write left a journal that only a writable connection can roll back; "
                    + "make the file and its directory writable, then run any threadkeeper command",
                code: error.extendedCode, sql: error.sql, path: error.path)
            return
        }
        self.init(
            kind, "'\(error.path)': \(error.message)\(Self.advice(for: kind))", code: error.extendedCode, sql: error.sql,
            path: error.path)
    }

    static func kind(of code: SQLiteError.Code) -> Kind {
        switch code {
        case .notADatabase: return .notADatabase
        case .corrupt: return .corrupt
        case .readOnly: return .readOnly
        case .full: return .full
        case .cannotOpen, .permission, .authorization: return .cannotOpen
        case .busy, .locked: return .busy
        case .ioError: return .io
        case .constraint: return .constraint
        // Only a statement given the wrong number of values: the ledger's caller passed a bad record.
        case .range: return .invalidArgument
        default: return .sqlite
        }
    }

    static func advice(for kind: Kind) -> String {
        switch kind {
        case .notADatabase: return "; is --ledger pointing at the right file?"
        case .corrupt: return "; restore it from a backup (threadkeeper backup)"
        case .readOnly: return "; make the file and its directory writable"
        case .full: return "; free space on its file system"
        case .cannotOpen: return "; check that the directory exists and is accessible"
        case .busy: return "; another process holds the ledger locked, try again"
        case .io: return "; check the disk and the file system"
        default: return ""
        }
    }
}
