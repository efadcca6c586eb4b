import Foundation
import SQLite

extension Ledger {
    /// Imports from this many staged threads on rebuild the indexes instead of updating them row by row.
    public static let bulkImportThreshold = 50_000
    /// The page cache an import may use, in KiB.
    static let importCacheKiB = 8_192
    /// The helper threads SQLite's sorter may use during an import.
    static let importSortThreads = 2

    /// Imports the threads `produce` hands to its callback.
    ///
    /// Idempotent: a known thread gets the file's metadata when it differs, and the file's
    /// created_at unless the API has confirmed the ledger's (`last_synced` set); a thread so
    /// changed loses its `last_synced`, so it counts as unconfirmed until the API is asked
    /// again. A thread is never duplicated, and its state is kept (an import never revives a
    /// deleted thread).
    /// When an id repeats, its last line wins.
    ///
    /// The threads are first appended to a temporary staging table (on the temp directory,
    /// in transactions of `batchSize`), then merged into the ledger in one `BEGIN IMMEDIATE`
    /// transaction in id order: the ledger gets all of the import or none of it, and
    /// the B-trees are written in key order, so a million threads cost sequential writes
    /// instead of random ones. A large import into a smaller ledger drops the secondary
    /// indexes and the side table's insert trigger, fills `thread_metadata` in one pass and
    /// rebuilds them by sorting in the same transaction; a first load into an empty ledger
    /// that no other connection has open goes through a rollback journal instead of the WAL
    /// (`enterRollbackJournal`). Parsing and staging overlap (`stage`). If `produce` throws,
    /// nothing is written to the ledger. `bulkThreshold` is the staged count from which the
    /// indexes are rebuilt, when the ledger holds at most twice as many threads as the import
    /// (measured: 500,000 new threads into a million-thread ledger take 12.8 s rebuilding,
    /// 18.5 s row by row; a million into a million, 19.7 s against 38.1 s).
    public func importThreads(
        batchSize: Int = 10_000, bulkThreshold: Int = Ledger.bulkImportThreshold,
        _ produce: (_ emit: (ThreadImport) throws -> Void) throws -> Void
    ) throws -> ImportCounts {
        precondition(batchSize > 0, "batchSize must be positive")
        return try withDatabase { database in
            guard !isReadOnly else { throw LedgerError(.readOnly, "'\(path)' was opened read-only", path: path) }
            try database.execute(
                """
                DROP TABLE IF EXISTS temp.import_staging;
                CREATE TEMP TABLE import_staging (
                    seq INTEGER PRIMARY KEY, id TEXT NOT NULL, created_at INTEGER, metadata TEXT, object TEXT NOT NULL);
                """)
            // A bigger page cache for the merge's sorts and B-tree writes, within a modest RSS,
            // and a helper thread for the sorts of ORDER BY and CREATE INDEX (a tenth off a
            // million-thread import for about 17 MiB more peak memory).
            try database.execute("PRAGMA cache_size = -\(Self.importCacheKiB); PRAGMA threads = \(Self.importSortThreads)")
            defer {
                // Best effort: the temp table goes with the connection anyway.
                try? database.execute("DROP TABLE IF EXISTS temp.import_staging; PRAGMA cache_size = -2000; PRAGMA threads = 0")
            }
            let staged = try stage(database, batchSize: batchSize, produce)
            guard staged > 0 else { return ImportCounts() }
            return try merge(database, staged: staged, bulkThreshold: bulkThreshold)
        }
    }

    /// Appends every thread to `temp.import_staging`; returns how many.
    ///
    /// `produce` runs on the calling thread while a second thread writes what it emits to
    /// the staging table, batches passing through a `StagingPipe`: parsing and SQLite
    /// overlap. SQLite calls block, so the writer is a thread of its own rather than a task
    /// on the cooperative pool; the connection is used by one thread at a time (the writer
    /// until it ends, then the caller).
    private func stage(
        _ database: SQLiteDatabase, batchSize: Int, _ produce: (_ emit: (ThreadImport) throws -> Void) throws -> Void
    ) throws -> Int {
        let writer = StagingWriter(
            database: database,
            insert: try database.prepare("INSERT INTO temp.import_staging (id, created_at, metadata, object) VALUES (?, ?, ?, ?)"),
            batchSize: batchSize, pipe: StagingPipe(capacity: 4))
        let finished = DispatchSemaphore(value: 0)
        Thread {
            writer.run()
            finished.signal()
        }.start()
        var batch: [ThreadImport] = []
        batch.reserveCapacity(Self.stagingBatch)
        var failure: (any Error)?
        do {
            try produce { record in
                batch.append(record)
                if batch.count == Self.stagingBatch {
                    try writer.pipe.send(batch)
                    batch.removeAll(keepingCapacity: true)
                }
            }
            if !batch.isEmpty { try writer.pipe.send(batch) }
        } catch {
            failure = error
            writer.pipe.fail(error)
        }
        writer.pipe.close()
        finished.wait()
        if let error = failure ?? writer.pipe.recordedFailure {
            rollBack(database)
            throw error
        }
        return writer.staged
    }

    /// Threads a batch of the staging pipe holds.
    static let stagingBatch = 2_048

    /// Merges the staged threads into `threads` in one transaction, in id order.
    private func merge(_ database: SQLiteDatabase, staged: Int, bulkThreshold: Int) throws -> ImportCounts {
        let time = now()
        // Counted only for an import large enough to be a bulk load, before the transaction.
        let firstLoad = try staged >= bulkThreshold && countThreads(database) == 0 && enterRollbackJournal(database)
        defer { if firstLoad { leaveRollbackJournal(database) } }
        try database.execute("BEGIN IMMEDIATE")
        do {
            let before = try countThreads(database)
            // Rebuilding an index by sorting beats a million random inserts into it.
            let bulk = staged >= bulkThreshold && before <= staged * 2
            let rebuild = bulk ? try dropIndexesAndMetadataTrigger(database) : []
            // Known threads first, from the last line of each id: only where something changed.
            // A file is not the API: a change clears last_synced, so `Verify=stale` fetches the
            // thread again, and a created_at the API has confirmed (last_synced set) is kept.
            var updated = 0
            if before > 0 {
                try database.run(
                    """
                    UPDATE threads SET created_at = CASE WHEN threads.last_synced IS NULL
                            THEN coalesce(s.created_at, threads.created_at) ELSE threads.created_at END,
                        metadata = coalesce(s.metadata, threads.metadata), last_synced = NULL
                    FROM (SELECT id, created_at, metadata, max(seq) FROM temp.import_staging GROUP BY id) AS s
                    WHERE threads.id = s.id
                        AND ((threads.last_synced IS NULL AND threads.created_at IS NOT coalesce(s.created_at, threads.created_at))
                            OR threads.metadata IS NOT coalesce(s.metadata, threads.metadata))
                    """)
                updated = database.changes
            }
            // Then new threads in id order, the last line of an id first so it is the one kept.
            // The CHECK constraints are off for this statement: its metadata is JSONWriter.sortedObject's
            // object text, its object an ObjectKind's raw value and its state and source are
            // literals, and json_type() on every row would be a third of the statement's time.
            // A known row keeps its kind: a file does not turn a thread into a conversation.
            // The pragma is per connection: it is turned off again whether the insert worked or not.
            try database.execute("PRAGMA ignore_check_constraints = ON")
            let inserted = Result {
                try database.run(
                    """
                    INSERT INTO threads (id, created_at, metadata, state, source, first_seen, object)
                    SELECT id, created_at, coalesce(metadata, '{}'), 'live', 'import', ?1, object
                    FROM temp.import_staging WHERE true ORDER BY id, seq DESC
                    ON CONFLICT (id) DO NOTHING
                    """, [.integer(time)])
            }
            try database.execute("PRAGMA ignore_check_constraints = OFF")
            _ = try inserted.get()
            if bulk {
                // The insert trigger is dropped: thread_metadata gets the new threads' keys in one
                // pass, in thread order. Every thread the ledger held before has its rows already
                // (the update trigger keeps them), so only threads without any are read.
                try database.run(
                    """
                    INSERT INTO thread_metadata (thread_id, key, value)
                    SELECT t.id, j.key, j.value FROM threads AS t, json_each(t.metadata) AS j
                    \(before == 0 ? "" : "WHERE NOT EXISTS (SELECT 1 FROM thread_metadata AS m WHERE m.thread_id = t.id)")
                    """)
            }
            for sql in rebuild { try database.execute(sql) }
            let imported = try countThreads(database) - before
            try database.execute("COMMIT")
            if imported + updated > 0 { try refreshStatistics(database) }
            return ImportCounts(imported: imported, updated: updated, unchanged: staged - imported - updated)
        } catch {
            rollBack(database)
            throw error
        }
    }

    /// Switches an empty ledger that no other connection has open to a rollback journal for
    /// its first bulk load; returns whether it did.
    ///
    /// In WAL mode every page of the load is written twice, to the log and then to the file
    /// by the checkpoint; a rollback journal of an empty database holds almost nothing, so
    /// the load is written once (a third off a million-thread import). It is as safe: with
    /// `synchronous = FULL` the journal is on disk before the file changes, and a crash
    /// leaves a hot journal that the next open rolls back. Leaving WAL needs the only
    /// connection to the file; when another process has the ledger open this fails at once
    /// (no busy wait) and the load goes through WAL as usual.
    private func enterRollbackJournal(_ database: SQLiteDatabase) -> Bool {
        database.setBusyTimeout(milliseconds: 0)
        defer { database.setBusyTimeout(milliseconds: Self.busyTimeoutMilliseconds) }
        do {
            return try database.scalar("PRAGMA journal_mode = DELETE")?.textValue == "delete"
        } catch {
            // SQLITE_BUSY: another connection has the file. The mode is unchanged; load through WAL.
            return false
        }
    }

    /// Back to WAL after a first load; when a process that opened the ledger meanwhile holds
    /// it, the file stays in rollback-journal mode until the next open switches it (every
    /// open does), which is safe either way.
    private func leaveRollbackJournal(_ database: SQLiteDatabase) {
        database.setBusyTimeout(milliseconds: 0)
        defer { database.setBusyTimeout(milliseconds: Self.busyTimeoutMilliseconds) }
        do {
            _ = try database.scalar("PRAGMA journal_mode = WAL")
        } catch {
            // Busy: the next open switches it; a rollback journal is as safe meanwhile.
        }
    }

    /// Drops the secondary indexes of `threads` and `thread_metadata` and the trigger that
    /// fills `thread_metadata` on insert; returns the statements that recreate them, for the
    /// same transaction. Partial indexes stay: they are small, and updated row by row.
    private func dropIndexesAndMetadataTrigger(_ database: SQLiteDatabase) throws -> [String] {
        let objects = try database.rows(
            """
            SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND (
                (type = 'index' AND tbl_name IN ('threads', 'thread_metadata') AND sql NOT LIKE '% WHERE %')
                OR (type = 'trigger' AND name = 'threads_metadata_insert'))
            """)
        var rebuild: [String] = []
        for row in objects {
            guard let type = row[0].textValue, let name = row[1].textValue, let sql = row[2].textValue else { continue }
            try database.execute("DROP \(type == "trigger" ? "TRIGGER" : "INDEX") \"\(name)\"")
            rebuild.append(sql)
        }
        guard rebuild.contains(where: { $0.hasPrefix("CREATE TRIGGER") }) else {
            throw LedgerError(
                .corrupt, "'\(path)' has no trigger threads_metadata_insert: its schema was altered by hand; restore it from a backup",
                path: path)
        }
        return rebuild
    }

    /// Re-runs ANALYZE on a sample so the planner knows the inventory's shape.
    ///
    /// Without `sqlite_stat1` SQLite guesses, and drives a metadata filter from the
    /// state index (every live thread) instead of from the (key, value) index. "PRAGMA
    /// analysis_limit ... limits ANALYZE to examining approximately N rows of each index",
    /// which keeps this to milliseconds on any size.
    func refreshStatistics(_ database: SQLiteDatabase) throws {
        try database.execute("PRAGMA analysis_limit = 1000; ANALYZE")
    }

    private func countThreads(_ database: SQLiteDatabase) throws -> Int {
        Int(try database.scalar("SELECT count(*) FROM threads")?.integerValue ?? 0)
    }

    private func rollBack(_ database: SQLiteDatabase) {
        guard !database.isAutocommit else { return }
        // SQLite may have rolled back already (after SQLITE_FULL, say); then this fails harmlessly.
        do { try database.execute("ROLLBACK") } catch {}
    }
}
