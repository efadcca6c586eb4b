import SQLite
import TestSupport
import Testing

@testable import Ledger

/// An `SQLiteError` becomes a `LedgerError` in one place, with the ledger's advice.
struct LedgerErrorSQLiteTests {
    @Test(arguments: [
        (Int32(26), LedgerError.Kind.notADatabase, "; is --ledger pointing at the right file?"),
        (11, .corrupt, "; restore it from a backup (threadkeeper backup)"),
        (8, .readOnly, "; make the file and its directory writable"),
        (13, .full, "; free space on its file system"),
        (14, .cannotOpen, "; check that the directory exists and is accessible"),
        (3, .cannotOpen, "; check that the directory exists and is accessible"),
        (5, .busy, "; another process holds the ledger locked, try again"),
        (6, .busy, "; another process holds the ledger locked, try again"),
        (10 | (3 << 8), .io, "; check the disk and the file system"),
        (1555, .constraint, ""),
        (25, .invalidArgument, ""),
        (1, .sqlite, ""),
    ])
    func eachCodeHasItsKindAndAdvice(code: Int32, kind: LedgerError.Kind, advice: String) {
        let error = LedgerError(SQLiteError(extendedCode: code, message: "what sqlite said", sql: "SELECT 1", path: "/l.db"))
        #expect(error.kind == kind)
        #expect(error.code == code)
        #expect(error.message == "'/l.db': what sqlite said\(advice)")
        #expect(error.sql == "SELECT 1")
        #expect(error.path == "/l.db")
    }

    @Test func aHotJournalOnAReadOnlyFileSaysHowToRollItBack() {
        let error = LedgerError(
            SQLiteError(extendedCode: SQLiteError.readOnlyRollback, message: "attempt to write", sql: nil, path: "/l.db"))
        #expect(error.kind == .readOnly)
        #expect(error.code == 776)
        #expect(
            error.message
                == "'/l.db': an interrupted write left a journal that only a writable connection can roll back; "
                + "make the file and its directory writable, then run any threadkeeper command")
    }

    /// Through the ledger's API the caller sees a `LedgerError`, never an `SQLiteError`.
    @Test func theLedgerThrowsLedgerErrors() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("ledger.sqlite3")
        let ledger = try Ledger(path: path)
        let error = try #require(throws: LedgerError.self) { try ledger.rows("SELECT ?, ?", [1]) }
        #expect(error.kind == .invalidArgument)
        #expect(error.message == "'\(path)': statement expects 2 arguments, got 1")
        let missing = try #require(throws: LedgerError.self) { try ledger.execute("SELECT * FROM no_such_table") }
        #expect(missing.kind == .sqlite)
        #expect(missing.message == "'\(path)': no such table: no_such_table")
        #expect(missing.sql == "SELECT * FROM no_such_table")
    }
}
