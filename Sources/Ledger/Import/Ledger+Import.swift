extension Ledger {
    /// Imports the threads `produce` hands to its callback, in transactions of `batchSize`.
    ///
    /// Idempotent: a known thread gets the file's created_at and metadata when they differ,
    /// and is never duplicated; its state is kept (an import never revives a deleted thread).
    /// With `atomic`, everything is one transaction: if `produce` throws, nothing is written.
    /// Otherwise a throw rolls back only the batch in progress.
    public func importThreads(
        batchSize: Int = 10_000, atomic: Bool = false, _ produce: (_ emit: (ThreadImport) throws -> Void) throws -> Void
    ) throws -> ImportCounts {
        precondition(batchSize > 0, "batchSize must be positive")
        return try withDatabase { database in
            guard !isReadOnly else { throw LedgerError(.readOnly, "'\(path)' was opened read-only", path: path) }
            let time = now()
            let insert = try database.prepare(
                """
                INSERT INTO threads (id, created_at, metadata, state, source, first_seen)
                VALUES (?, ?, ?, 'live', 'import', ?) ON CONFLICT (id) DO NOTHING
                """)
            let update = try database.prepare(
                """
                UPDATE threads SET created_at = coalesce(?1, created_at), metadata = coalesce(?2, metadata)
                WHERE id = ?3 AND (created_at IS NOT coalesce(?1, created_at) OR metadata IS NOT coalesce(?2, metadata))
                """)
            var counts = ImportCounts()
            var pending = 0
            try database.execute("BEGIN IMMEDIATE")
            do {
                try produce { record in
                    let metadata = record.metadata.map { SQLiteValue.text(JSONWriter.object($0)) } ?? .null
                    try insert.execute([
                        .text(record.id), .integer(record.createdAt ?? time),
                        metadata == .null ? .text("{}") : metadata, .integer(time),
                    ])
                    if database.changes == 1 {
                        counts.imported += 1
                    } else if record.createdAt == nil && record.metadata == nil {
                        counts.unchanged += 1
                    } else {
                        try update.execute([SQLiteValue(record.createdAt), metadata, .text(record.id)])
                        if database.changes == 1 { counts.updated += 1 } else { counts.unchanged += 1 }
                    }
                    pending += 1
                    if !atomic, pending >= batchSize {
                        try database.execute("COMMIT")
                        try database.execute("BEGIN IMMEDIATE")
                        pending = 0
                    }
                }
                try database.execute("COMMIT")
            } catch {
                if !database.isAutocommit {
                    // SQLite may have rolled back already (after SQLITE_FULL, say); then this fails harmlessly.
                    do { try database.execute("ROLLBACK") } catch {}
                }
                throw error
            }
            // "Applications with long-lived database connections should run PRAGMA optimize
            // ... after making significant changes": keeps the planner's statistics fresh.
            if counts.imported + counts.updated > 0 { try database.execute("PRAGMA optimize") }
            return counts
        }
    }
}
