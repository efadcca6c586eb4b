import JSON

/// The formats `threadkeeper export` writes.
public enum ExportFormat: String, Sendable, Hashable, CaseIterable {
    /// Thread and conversation objects as the API returns them, one a line: `threadkeeper import` reads them back.
    case jsonl
    /// `id,created_at,metadata,state,source,first_seen,last_synced,last_activity,object` with a header line.
    case csv
}

extension Ledger {
    /// The CSV header `export` writes.
    public static let csvExportHeader = "id,created_at,metadata,state,source,first_seen,last_synced,last_activity,object"

    /// Streams the threads in `states` (nil: all), oldest first, one line each (without newline) to `write`.
    ///
    /// Returns how many threads were written.
    @discardableResult
    public func export(
        states: [ThreadState]? = nil, format: ExportFormat, _ write: (String) throws -> Void
    ) throws -> Int {
        let read = InventoryQuery(states.map { .state($0) } ?? .always).indexed
        return try withDatabase { database in
            let statement = try database.prepare(
                "SELECT \(Self.threadColumns) FROM \(read.source) WHERE \(read.condition) ORDER BY threads.created_at, threads.id")
            try statement.bind(read.arguments)
            if format == .csv { try write(Self.csvExportHeader) }
            var count = 0
            while try statement.step() {
                let id = statement.text(0) ?? ""
                // NULL: a thread of unknown age (null in JSONL, empty in CSV).
                let createdAt = statement.integer(1).map(String.init)
                // The column holds canonical JSON (written by JSONWriter or checked by the schema).
                let metadata = statement.text(2) ?? "{}"
                // The schema's CHECK keeps the kind to the two names, which need no escaping.
                let object = statement.text(8) ?? ObjectKind.thread.rawValue
                switch format {
                case .jsonl:
                    var line = "{\"id\":"
                    JSONWriter.quote(id, into: &line)
                    line += ",\"object\":\"\(object)\",\"created_at\":\(createdAt ?? "null"),\"metadata\":\(metadata)}"
                    try write(line)
                case .csv:
                    let optional: (Int32) -> String = { statement.integer($0).map(String.init) ?? "" }
                    let fields = [
                        CSV.field(id), createdAt ?? "", CSV.field(metadata), statement.text(3) ?? "", statement.text(4) ?? "",
                        optional(5), optional(6), optional(7), object,
                    ]
                    try write(fields.joined(separator: ","))
                }
                count += 1
            }
            return count
        }
    }
}
