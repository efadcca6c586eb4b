import Foundation
import SQLite

/// The writing end of an import's staging: takes batches from the pipe and appends them to
/// `temp.import_staging`, committing every `batchSize` threads.
///
/// A deferred transaction that only writes the temp database takes no lock on the ledger.
/// On a failure the writer records it in the pipe and stops; the caller rolls back.
final class StagingWriter: @unchecked Sendable {
    // Used by one thread at a time: the writer thread from `run()` until it returns, then
    // the caller, which waits for that before it reads `staged` or touches the connection.
    private let database: SQLiteDatabase
    private let insert: SQLiteStatement
    private let batchSize: Int
    let pipe: StagingPipe
    private(set) var staged = 0

    init(database: SQLiteDatabase, insert: SQLiteStatement, batchSize: Int, pipe: StagingPipe) {
        self.database = database
        self.insert = insert
        self.batchSize = batchSize
        self.pipe = pipe
    }

    func run() {
        do {
            try database.execute("BEGIN DEFERRED")
            while let batch = pipe.receive() {
                for record in batch {
                    try insert.execute([
                        .text(record.id), SQLiteValue(record.createdAt), record.metadataJSON.map { .text($0) } ?? .null,
                        .text(record.object.rawValue),
                    ])
                    staged += 1
                    if staged % batchSize == 0 {
                        try database.execute("COMMIT")
                        try database.execute("BEGIN DEFERRED")
                    }
                }
            }
            // A failed pipe (the reader's error) is rolled back by the caller instead.
            if pipe.recordedFailure == nil { try database.execute("COMMIT") }
        } catch {
            pipe.fail(error)
        }
    }
}
