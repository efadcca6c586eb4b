import TestSupport
import Testing

@testable import Ledger

struct SQLiteDatabaseTests {
    @Test func bindsAndReadsEveryStorageClass() throws {
        let directory = TemporaryDirectory()
        let database = try SQLiteDatabase(path: directory.file("t.sqlite3"))
        try database.execute("CREATE TABLE t (a, b, c, d, e)")
        let values: [SQLiteValue] = [.null, .integer(-7), .real(2.5), .text("héllo\u{0}x"), .blob([0, 1, 255])]
        try database.run("INSERT INTO t VALUES (?, ?, ?, ?, ?)", values)
        #expect(try database.rows("SELECT a, b, c, d, e FROM t") == [values])
        let statement = try database.prepare("SELECT a, d FROM t")
        #expect(try statement.step())
        #expect(statement.text(0) == nil)
        #expect(statement.integer(0) == nil)
        #expect(statement.text(1) == "héllo\u{0}x")
        #expect(statement.columnName(1) == "d")
        #expect(try statement.step() == false)
    }

    @Test func errorsCarryCodeAndSQLButNotValues() throws {
        let directory = TemporaryDirectory()
        let database = try SQLiteDatabase(path: directory.file("t.sqlite3"))
        try database.execute("CREATE TABLE t (id TEXT PRIMARY KEY)")
        try database.run("INSERT INTO t VALUES (?)", ["secret-value"])
        let error = try #require(throws: LedgerError.self) {
            try database.run("INSERT INTO t VALUES (?)", ["secret-value"])
        }
        #expect(error.kind == .constraint)
        #expect(error.code == 1555)  // SQLITE_CONSTRAINT_PRIMARYKEY
        #expect(error.sql == "INSERT INTO t VALUES (?)")
        #expect(!error.description.contains("secret-value"))
        #expect(error.message.contains(directory.file("t.sqlite3")))
    }

    @Test func transactionRollsBackWhenTheBodyThrows() throws {
        struct Boom: Error {}
        let directory = TemporaryDirectory()
        let database = try SQLiteDatabase(path: directory.file("t.sqlite3"))
        try database.execute("CREATE TABLE t (x)")
        #expect(throws: Boom.self) {
            try database.transaction {
                try database.run("INSERT INTO t VALUES (1)")
                throw Boom()
            }
        }
        #expect(try database.scalar("SELECT count(*) FROM t") == .integer(0))
        #expect(database.isAutocommit)
    }

    @Test func wrongArgumentCountIsRefused() throws {
        let directory = TemporaryDirectory()
        let database = try SQLiteDatabase(path: directory.file("t.sqlite3"))
        let error = try #require(throws: LedgerError.self) { try database.run("SELECT ?, ?", [1]) }
        #expect(error.kind == .invalidArgument)
    }

    @Test func readOnlyConnectionRefusesWrites() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("t.sqlite3")
        try SQLiteDatabase(path: path).execute("CREATE TABLE t (x)")
        let reader = try SQLiteDatabase(path: path, mode: .readOnly)
        #expect(reader.isReadOnly)
        let error = try #require(throws: LedgerError.self) { try reader.execute("INSERT INTO t VALUES (1)") }
        #expect(error.kind == .readOnly)
    }

    @Test func missingFileWithoutCreateIsCannotOpen() throws {
        let directory = TemporaryDirectory()
        let error = try #require(throws: LedgerError.self) {
            try SQLiteDatabase(path: directory.file("absent.sqlite3"), mode: .readWrite)
        }
        #expect(error.kind == .cannotOpen)
        #expect(error.message.contains("absent.sqlite3"))
    }
}
