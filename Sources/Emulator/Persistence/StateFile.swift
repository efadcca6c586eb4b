import JSON
import SQLite

/// The emulator's threads and counters in a SQLite file (`--state`), through the `SQLite` module.
///
/// Saved whole at stop and loaded at start, so a run against the emulator can be checked after it restarts.
/// Seeded threads whose messages were never read keep only their message seed.
public enum StateFile {
    static let schema = """
        CREATE TABLE IF NOT EXISTS emulator_threads(
            id TEXT PRIMARY KEY,
            created_at INTEGER NOT NULL,
            metadata TEXT NOT NULL,
            tool_resources TEXT,
            messages TEXT,
            message_seed INTEGER,
            message_count INTEGER,
            deleted INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE IF NOT EXISTS emulator_counters(name TEXT PRIMARY KEY, value INTEGER NOT NULL);
        """

    /// Writes every thread (live and deleted ids) and the counters, replacing what the file held.
    public static func save(_ store: ThreadStore, stats: EmulatorStats, to path: String) throws(EmulatorError) {
        do {
            let database = try SQLiteDatabase(path: path)
            try database.execute("PRAGMA journal_mode=WAL")
            try database.execute(schema)
            try database.transaction {
                try database.execute("DELETE FROM emulator_threads; DELETE FROM emulator_counters;")
                let insert = try database.prepare(
                    "INSERT INTO emulator_threads(id, created_at, metadata, tool_resources, messages, message_seed, message_count, deleted) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
                for thread in store.liveThreads {
                    var metadata = JSONWriter(capacity: 64)
                    metadata.stringMap(thread.metadata)
                    var toolResources: SQLiteValue = .null
                    if let value = thread.toolResources {
                        var writer = JSONWriter(capacity: 64)
                        writer.value(value)
                        toolResources = .text(String(decoding: writer.bytes, as: UTF8.self))
                    }
                    var messages: SQLiteValue = .null
                    var seed: SQLiteValue = .null
                    var count: SQLiteValue = .null
                    switch thread.messages {
                    case .seeded(let messageSeed, let messageCount):
                        seed = .integer(Int64(bitPattern: messageSeed))
                        count = .integer(Int64(messageCount))
                    case .stored(let list):
                        var writer = JSONWriter(capacity: 256 * max(1, list.count))
                        writer.raw("[")
                        for (index, message) in list.enumerated() {
                            if index > 0 { writer.raw(",") }
                            message.writeJSON(threadID: thread.id, into: &writer)
                        }
                        writer.raw("]")
                        messages = .text(String(decoding: writer.bytes, as: UTF8.self))
                    }
                    try insert.execute([
                        .text(thread.id), .integer(thread.createdAt), .text(String(decoding: metadata.bytes, as: UTF8.self)),
                        toolResources, messages, seed, count, .integer(0),
                    ])
                }
                for id in store.deletedIDs {
                    try insert.execute([.text(id), .integer(0), .text("{}"), .null, .null, .null, .null, .integer(1)])
                }
                let counter = try database.prepare("INSERT INTO emulator_counters(name, value) VALUES (?, ?)")
                for (name, value) in counterRows(stats) { try counter.execute([.text(name), .integer(Int64(value))]) }
            }
        } catch let error as EmulatorError {
            throw error
        } catch let error as SQLiteError {
            throw .state(path: path, reason: reason(error))
        } catch {
            throw .state(path: path, reason: String(describing: error))
        }
    }

    /// Reads a state file into a store and counters; nil when the file holds no state yet.
    public static func load(from path: String, seed: UInt64) throws(EmulatorError) -> (ThreadStore, EmulatorStats)? {
        do {
            let database = try SQLiteDatabase(path: path)
            try database.execute(schema)
            var store = ThreadStore(seed: seed)
            var found = false
            let rows = try database.prepare(
                "SELECT id, created_at, metadata, tool_resources, messages, message_seed, message_count, deleted "
                    + "FROM emulator_threads ORDER BY rowid")
            while try rows.step() {
                found = true
                guard let id = rows.text(0) else { continue }
                if rows.integer(7) == 1 {
                    store.insertDeleted(id)
                    continue
                }
                let metadata = try RequestValidation.metadata(try JSONParser.parse(rows.text(2) ?? "{}"), param: "metadata")
                let toolResources = try rows.text(3).map { text throws in try JSONParser.parse(text) }
                var messages = MessageLog.stored([])
                if let text = rows.text(4) {
                    messages = .stored(try parseMessages(text))
                } else if let seedValue = rows.integer(5), let count = rows.integer(6) {
                    messages = .seeded(seed: UInt64(bitPattern: seedValue), count: Int(count))
                }
                store.insert(
                    StoredThread(
                        id: id, createdAt: rows.integer(1) ?? 0, metadata: metadata, toolResources: toolResources, messages: messages))
            }
            var stats = EmulatorStats()
            let counters = try database.prepare("SELECT name, value FROM emulator_counters")
            while try counters.step() {
                guard let name = counters.text(0), let value = counters.integer(1) else { continue }
                found = true
                apply(name, Int(value), to: &stats, store: &store)
            }
            return found ? (store, stats) : nil
        } catch let error as EmulatorError {
            throw error
        } catch let error as SQLiteError {
            throw .state(path: path, reason: reason(error))
        } catch {
            throw .state(path: path, reason: String(describing: error))
        }
    }

    static func counterRows(_ stats: EmulatorStats) -> [(String, Int)] {
        var rows: [(String, Int)] = [
            ("total", stats.totalRequests), ("peak_per_second", stats.peakRequestsPerSecond), ("resets", stats.resets),
            ("repeated_deletes", stats.repeatedDeletes),
        ]
        rows += stats.requestsByMethod.map { ("method:\($0.key)", $0.value) }
        rows += stats.requestsByStatus.map { ("status:\($0.key)", $0.value) }
        return rows
    }

    static func apply(_ name: String, _ value: Int, to stats: inout EmulatorStats, store: inout ThreadStore) {
        switch name {
        case "total": stats.totalRequests = value
        case "peak_per_second": stats.peakRequestsPerSecond = value
        case "resets": stats.resets = value
        case "repeated_deletes": store.restoreRepeatedDeletes(value)
        default:
            if name.hasPrefix("method:") {
                stats.requestsByMethod[String(name.dropFirst(7))] = value
            } else if name.hasPrefix("status:"), let status = Int(name.dropFirst(7)) {
                stats.requestsByStatus[status] = value
            }
        }
    }

    /// The fields `StoredMessage.writeJSON` writes before any additional ones.
    static let messageFields: Set<String> = [
        "id", "object", "created_at", "assistant_id", "thread_id", "run_id", "status", "incomplete_details", "completed_at",
        "incomplete_at", "role", "content", "attachments", "metadata",
    ]

    static func parseMessages(_ text: String) throws -> [StoredMessage] {
        guard case .array(let items) = try JSONParser.parse(text) else { return [] }
        return items.compactMap { item -> StoredMessage? in
            guard let id = item.stringValue("id"), let createdAt = item["created_at"]?.int64Value else { return nil }
            var content: [ContentPart] = []
            if case .array(let parts)? = item["content"] {
                for part in parts {
                    if part.stringValue("type") == "text", let value = part["text"]?.stringValue("value") {
                        var annotations: [JSONValue] = []
                        if case .array(let items)? = part["text"]?["annotations"] { annotations = items }
                        content.append(.text(value, annotations: annotations))
                    } else {
                        content.append(.other(part))
                    }
                }
            }
            var metadata: [(String, String)] = []
            var additional: [(String, JSONValue)] = []
            if case .object(let members) = item {
                additional = members.filter { !messageFields.contains($0.0) }
            }
            if case .object(let members)? = item["metadata"] {
                metadata = members.compactMap { key, value in value.stringValue.map { (key, $0) } }
            }
            func time(_ key: String) -> Int64? {
                item[key]?.int64Value
            }
            let status = item.stringValue("status") ?? "completed"
            return StoredMessage(
                id: id, createdAt: createdAt, role: item.stringValue("role") ?? "user", content: content,
                attachments: item["attachments"] ?? .array([]), metadata: metadata, status: status,
                incompleteDetails: item["incomplete_details"] ?? .null,
                completedAt: time("completed_at"), incompleteAt: time("incomplete_at"), assistantID: item.stringValue("assistant_id"),
                runID: item.stringValue("run_id"), additionalFields: additional)
        }
    }
}

extension JSONValue {
    func stringValue(_ key: String) -> String? { self[key]?.stringValue }
}

extension StateFile {
    /// SQLite's words for a failure on the state file, and what to do about it with `--state`.
    static func reason(_ error: SQLiteError) -> String {
        let advice: String
        switch error.code {
        case .notADatabase, .corrupt: advice = "; pass --state a file the emulator wrote, or a path that does not exist yet"
        case .readOnly, .cannotOpen, .permission: advice = "; check that the file and its directory exist and are writable"
        case .full: advice = "; free space on its file system"
        case .busy, .locked: advice = "; another process holds the file locked, stop it or pass another --state"
        default: advice = ""
        }
        // One line: the SQL that failed is the emulator's own schema or queries, which the user cannot change.
        return error.message + advice
    }
}
