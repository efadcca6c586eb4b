import Foundation
import SQLite

/// Appends rows to the `chain` table inside the transaction that writes the fact they cover.
///
/// Reads the tail once and keeps it, so a batch of intents chains in one pass. Only used
/// inside `Ledger.write`, whose `BEGIN IMMEDIATE` keeps another process from appending
/// between the read of the tail and the commit.
struct ChainAppender {
    private(set) var head: ChainHead

    init(_ database: SQLiteDatabase) throws {
        head = try Self.head(database)
    }

    static func head(_ database: SQLiteDatabase) throws -> ChainHead {
        let row = try database.rows("SELECT seq, hash FROM chain ORDER BY seq DESC LIMIT 1").first
        guard let row, let seq = row[0].integerValue, let hash = row[1].textValue else {
            return ChainHead(rows: 0, hash: AuditChain.genesis)
        }
        return ChainHead(rows: seq, hash: hash)
    }

    mutating func append(
        _ kind: AuditChain.Kind, ref: Int64, fields: [AuditChain.Field], note: String? = nil, _ database: SQLiteDatabase
    ) throws {
        let seq = head.rows + 1
        let hash = AuditChain.hash(prevHash: head.hash, seq: seq, kind: kind, ref: ref, fields: fields)
        try database.run(
            "INSERT INTO chain (seq, kind, ref, note, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?)",
            [.integer(seq), .text(kind.rawValue), .integer(ref), SQLiteValue(note), .text(head.hash), .text(hash)])
        head = ChainHead(rows: seq, hash: hash)
    }

    mutating func appendRun(_ run: RunRecord, _ database: SQLiteDatabase) throws {
        try append(.run, ref: run.id, fields: AuditChain.runFields(run), database)
    }

    mutating func appendEnd(_ run: RunRecord, _ database: SQLiteDatabase) throws {
        try append(.end, ref: run.id, fields: AuditChain.endFields(run), database)
    }

    mutating func appendIntent(_ action: ActionRecord, _ database: SQLiteDatabase) throws {
        try append(.intent, ref: action.id, fields: AuditChain.intentFields(action), database)
    }

    mutating func appendOutcome(_ action: ActionRecord, _ database: SQLiteDatabase) throws {
        try append(.outcome, ref: action.id, fields: AuditChain.outcomeFields(action), database)
    }
}

extension Ledger {
    /// The ledger's absolute path with symbolic links resolved: the one name the journal's
    /// chain heads use for it, however `--ledger` spelled it.
    public var resolvedPath: String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// The chain's row count and last hash: what each finished run writes to the journal.
    public func chainHead() throws -> ChainHead {
        try withDatabase { try ChainAppender.head($0) }
    }
}
