import Foundation
import TestSupport
import Testing

@testable import Ledger

struct MigrationTests {
    @Test func versionsAreConsecutiveFromOne() {
        #expect(Migrations.all.map(\.version) == Array(1...Migrations.all.count))
        #expect(Ledger.schemaVersion == Migrations.all.count)
    }

    @Test func aLedgerAtEveryOlderVersionMigratesForwardKeepingItsRows() throws {
        for start in 1..<Migrations.latest {
            let directory = TemporaryDirectory()
            let path = directory.file("ledger.sqlite3")
            do {
                let database = try SQLiteDatabase(path: path)
                for migration in Migrations.all.prefix(start) { try database.execute(migration.sql) }
                try database.execute("PRAGMA user_version = \(start)")
                try database.execute(
                    """
                    INSERT INTO threads (id, created_at, metadata, source, first_seen) VALUES ('thread_old', 1, '{"tag":"x"}', 'import', 1)
                    """)
            }
            let ledger = try Ledger(path: path)
            #expect(try ledger.schemaVersionOfFile() == Migrations.latest)
            #expect(try ledger.thread(id: "thread_old")?.metadata == ["tag": "x"])
            #expect(try ledger.integrityCheck() == "ok")
        }
    }

    @Test func aReadOnlyOpenOfAnOlderLedgerAsksForAMigration() throws {
        guard Migrations.latest > 1 else { return }
        let directory = TemporaryDirectory()
        let path = directory.file("ledger.sqlite3")
        do {
            let database = try SQLiteDatabase(path: path)
            try database.execute(Migrations.all[0].sql)
            try database.execute("PRAGMA user_version = 1")
        }
        let error = try #require(throws: LedgerError.self) { try Ledger(path: path, readOnly: true) }
        #expect(error.message.contains("has schema version 1"))
        #expect(error.message.contains("run 'threadkeeper import'"))
    }

    @Test func migratingTwiceConcurrentlyAppliesEachStepOnce() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("ledger.sqlite3")
        let first = try Ledger(path: path)
        // A second process opening the same file finds it current and changes nothing.
        let second = try Ledger(path: path)
        #expect(try first.schemaVersionOfFile() == Migrations.latest)
        #expect(try second.schemaVersionOfFile() == Migrations.latest)
        let database = try SQLiteDatabase(path: path, mode: .readOnly)
        #expect(try Migrations.migrateDryCount(database) == 0)
    }
}

extension Migrations {
    /// How many migrations a file still needs.
    static func migrateDryCount(_ database: SQLiteDatabase) throws -> Int {
        let current = try userVersion(database)
        return all.filter { $0.version > current }.count
    }
}
