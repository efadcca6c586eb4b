import Foundation
import SQLite
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

    @Test func version4AllowsAnUnknownCreatedAtAndKeepsIndexesTriggersAndTheSideTable() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("ledger.sqlite3")
        do {
            let database = try SQLiteDatabase(path: path)
            for migration in Migrations.all.prefix(2) { try database.execute(migration.sql) }
            try database.execute("PRAGMA user_version = 2")
            try database.execute(
                "INSERT INTO threads (id, created_at, metadata, source, first_seen) VALUES ('thread_a', 7, '{\"tag\":\"x\"}', 'import', 1)")
            let refused = #expect(throws: (any Error).self) {
                try database.execute(
                    "INSERT INTO threads (id, created_at, metadata, source, first_seen) VALUES ('thread_b', NULL, '{}', 'import', 1)")
            }
            #expect("\(refused.map { "\($0)" } ?? "")".contains("NOT NULL"))
        }
        let ledger = try Ledger(path: path)
        try ledger.save(ThreadRecord(id: "thread_b", createdAt: nil, metadata: ["tag": "y"], firstSeen: 2))
        #expect(try ledger.thread(id: "thread_b")?.createdAt == nil)
        #expect(try ledger.thread(id: "thread_a")?.createdAt == 7)
        // The side table still follows threads.metadata through the recreated triggers.
        let sideTable = try ledger.rows("SELECT thread_id, value FROM thread_metadata WHERE key = 'tag' ORDER BY thread_id")
        #expect(sideTable.map { $0[0].textValue ?? "" } == ["thread_a", "thread_b"])
        try ledger.updateMetadata(threadID: "thread_b", metadata: ["tag": "z"], createdAt: 9)
        #expect(try ledger.rows("SELECT value FROM thread_metadata WHERE thread_id = 'thread_b'")[0][0].textValue == "z")
        #expect(try ledger.thread(id: "thread_b")?.createdAt == 9)
        let names = try ledger.rows("SELECT name FROM sqlite_master WHERE tbl_name = 'threads' ORDER BY name").map { $0[0].textValue ?? "" }
        #expect(
            names == [
                "threads", "threads_by_activity", "threads_by_object", "threads_by_state", "threads_metadata_delete",
                "threads_metadata_insert", "threads_metadata_update",
            ])
        #expect(try ledger.integrityCheck() == "ok")
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
