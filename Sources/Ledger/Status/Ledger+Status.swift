import Foundation
import SQLite

/// What `threadkeeper status` reports about a ledger.
public struct LedgerStatus: Sendable, Hashable {
    public var path: String
    public var schemaVersion: Int
    /// Bytes of the database file plus its write-ahead log.
    public var sizeBytes: Int64
    public var threadsByState: [ThreadState: Int]
    public var threadsBySource: [ThreadSource: Int]
    /// The live thread with the oldest `created_at`, among those whose age is known.
    public var oldestLive: ThreadRecord?
    /// Live threads without `created_at` (imported as bare ids): no age rule matches them until `sync`.
    public var liveOfUnknownAge: Int
    public var actions: Int
    /// Actions whose outcome was never written (a run in progress, or one a crash cut short).
    public var openActions: Int
    /// How many bytes a thousand actions take in the file, tables and indexes, measured with `dbstat`.
    public var bytesPerThousandActions: Int64?
    /// The most recent runs, newest first.
    public var recentRuns: [RunRecord]
    /// Rows by kind: threads and conversations.
    public var byObject: [ObjectKind: Int] = [:]
}

extension Ledger {
    /// Counts, sizes and recent runs; reads only.
    public func status(recentRuns limit: Int = 5) throws -> LedgerStatus {
        let runs = try recentRuns(limit: limit)
        return try withDatabase { database in
            var byState: [ThreadState: Int] = [:]
            for row in try database.rows("SELECT state, count(*) FROM threads GROUP BY state") {
                if let state = row[0].textValue.flatMap(ThreadState.init(rawValue:)) { byState[state] = Int(row[1].integerValue ?? 0) }
            }
            var bySource: [ThreadSource: Int] = [:]
            for row in try database.rows("SELECT source, count(*) FROM threads GROUP BY source") {
                if let source = row[0].textValue.flatMap(ThreadSource.init(rawValue:)) {
                    bySource[source] = Int(row[1].integerValue ?? 0)
                }
            }
            let oldest = try database.prepare(
                "SELECT \(Self.threadColumns) FROM threads WHERE state = 'live' AND created_at IS NOT NULL "
                    + "ORDER BY created_at, id LIMIT 1")
            let oldestLive = try oldest.step() ? Self.record(oldest) : nil
            let unknownAge = Int(
                try database.scalar("SELECT count(*) FROM threads WHERE state = 'live' AND created_at IS NULL")?.integerValue ?? 0)
            var byObject: [ObjectKind: Int] = [:]
            for row in try database.rows("SELECT object, count(*) FROM threads GROUP BY object") {
                if let kind = row[0].textValue.flatMap(ObjectKind.init(rawValue:)) { byObject[kind] = Int(row[1].integerValue ?? 0) }
            }
            let actions = Int(try database.scalar("SELECT count(*) FROM actions")?.integerValue ?? 0)
            let open = Int(try database.scalar("SELECT count(*) FROM actions WHERE outcome IS NULL")?.integerValue ?? 0)
            var status = LedgerStatus(
                path: path, schemaVersion: try Migrations.userVersion(database), sizeBytes: fileSize(),
                threadsByState: byState, threadsBySource: bySource, oldestLive: oldestLive, liveOfUnknownAge: unknownAge, actions: actions,
                openActions: open,
                bytesPerThousandActions: actions > 0 ? try actionBytes(database).map { $0 * 1000 / Int64(actions) } : nil,
                recentRuns: runs)
            status.byObject = byObject
            return status
        }
    }

    /// Bytes of the ledger file and its `-wal`.
    public func fileSize() -> Int64 {
        var total: Int64 = 0
        for file in [path, path + "-wal"] {
            var info = stat()
            if stat(file, &info) == 0 { total += Int64(info.st_size) }
        }
        return total
    }

    /// Pages used by `actions` and its indexes, from the `dbstat` virtual table when SQLite has it.
    private func actionBytes(_ database: SQLiteDatabase) throws -> Int64? {
        let names = try database.rows("SELECT name FROM sqlite_master WHERE tbl_name = 'actions' AND type IN ('table', 'index')")
            .compactMap { $0.first?.textValue }
        var total: Int64 = 0
        for name in names {
            do {
                let bytes = try database.scalar("SELECT pgsize FROM dbstat WHERE name = ? AND aggregate = TRUE", [.text(name)])
                total += bytes?.integerValue ?? 0
            } catch let error as SQLiteError where error.code == .error {
                return nil  // built without SQLITE_ENABLE_DBSTAT_VTAB
            }
        }
        return total
    }
}
