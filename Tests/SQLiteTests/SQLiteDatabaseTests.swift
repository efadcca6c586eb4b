import TestSupport
import Testing

@testable import SQLite

struct SQLiteDatabaseTests {
    @Test func aFileThatIsNotADatabaseIsNotADatabase() throws {
        let directory = TemporaryDirectory()
        let path = try directory.write("notes.txt", String(repeating: "not a database ", count: 100))
        let database = try SQLiteDatabase(path: path, mode: .readWrite)
        let error = try #require(throws: SQLiteError.self) { try database.execute("SELECT 1 FROM sqlite_master") }
        #expect(error.code == .notADatabase)
        #expect(error.extendedCode == 26)  // SQLITE_NOTADB
        #expect(error.message == "file is not a database")
        #expect(error.path == path)
    }

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
        let error = try #require(throws: SQLiteError.self) {
            try database.run("INSERT INTO t VALUES (?)", ["secret-value"])
        }
        #expect(error.code == .constraint)
        #expect(error.extendedCode == 1555)  // SQLITE_CONSTRAINT_PRIMARYKEY
        #expect(error.sql == "INSERT INTO t VALUES (?)")
        #expect(error.path == directory.file("t.sqlite3"))
        #expect(error.message == "UNIQUE constraint failed: t.id")
        #expect(
            error.description
                == "'\(directory.file("t.sqlite3"))': UNIQUE constraint failed: t.id (sql: INSERT INTO t VALUES (?))")
        #expect(!error.description.contains("secret-value"))
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
        let error = try #require(throws: SQLiteError.self) { try database.run("SELECT ?, ?", [1]) }
        #expect(error.code == .range)
        #expect(error.message == "statement expects 2 arguments, got 1")
        #expect(error.sql == "SELECT ?, ?")
    }

    @Test func readOnlyConnectionRefusesWrites() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("t.sqlite3")
        try SQLiteDatabase(path: path).execute("CREATE TABLE t (x)")
        let reader = try SQLiteDatabase(path: path, mode: .readOnly)
        #expect(reader.isReadOnly)
        let error = try #require(throws: SQLiteError.self) { try reader.execute("INSERT INTO t VALUES (1)") }
        #expect(error.code == .readOnly)
        #expect(error.sql == "INSERT INTO t VALUES (1)")
    }

    @Test func missingFileWithoutCreateIsCannotOpen() throws {
        let directory = TemporaryDirectory()
        let error = try #require(throws: SQLiteError.self) {
            try SQLiteDatabase(path: directory.file("absent.sqlite3"), mode: .readWrite)
        }
        #expect(error.code == .cannotOpen)
        #expect(error.path == directory.file("absent.sqlite3"))
        #expect(error.sql == nil)
        #expect(error.description.contains("absent.sqlite3"))
    }
}
