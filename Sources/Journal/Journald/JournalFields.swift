/// Builds the fields of one journal entry from a `LogEntry`.
///
/// journald's rule for field names (systemd.journal-fields(7), sd_journal_print(3)): upper-case
/// ASCII letters, digits and underscores, not starting with a digit or an underscore (those
/// are trusted fields journald sets itself), at most 64 characters. A field that breaks the rule
/// is silently dropped by journald, so every metadata key is mapped here instead.
public enum JournalFields {
    /// journald refuses longer field names.
    public static let maximumNameLength = 64

    /// Metadata keys with a field name of their own; every other key becomes `THREADKEEPER_<KEY>`.
    public static let wellKnown: [String: String] = [
        "thread": "THREAD_ID"
    ]

    /// The journal field name for metadata key `key`: `rule` → `THREADKEEPER_RULE`,
    /// `thread` → `THREAD_ID`, `api.status` → `THREADKEEPER_API_STATUS`.
    public static func fieldName(forMetadataKey key: String) -> String {
        if let known = wellKnown[key] { return known }
        var name = "THREADKEEPER_"
        for scalar in key.unicodeScalars {
            switch scalar {
            case "a"..."z": name.unicodeScalars.append(Unicode.Scalar(scalar.value - 32)!)
            case "A"..."Z", "0"..."9": name.unicodeScalars.append(scalar)
            default: name.append("_")
            }
        }
        return String(name.prefix(maximumNameLength))
    }

    /// Whether journald accepts `name` as a field name sent by a client.
    public static func isValidFieldName(_ name: String) -> Bool {
        guard let first = name.utf8.first, name.utf8.count <= maximumNameLength else { return false }
        guard first != UInt8(ascii: "_"), !(48...57).contains(first) else { return false }
        return name.utf8.allSatisfy { (65...90).contains($0) || (48...57).contains($0) || $0 == UInt8(ascii: "_") }
    }

    /// The field naming the instance of a templated unit (`threadkeeper@ACCOUNT.service`), so
    /// `journalctl THREADKEEPER_INSTANCE=ACCOUNT` shows one account's entries.
    public static let instanceField = "THREADKEEPER_INSTANCE"

    /// The fields of `entry` in the order they are sent: the standard ones first, then `process`
    /// (fields the process adds to every entry, such as the instance), then metadata sorted by
    /// field name. Two keys mapping to the same field are both sent (journald keeps repeated fields).
    public static func fields(
        for entry: LogEntry, identifier: String? = nil, process: [(name: String, value: String)] = []
    ) -> [(name: String, value: String)] {
        var fields: [(name: String, value: String)] = [
            ("MESSAGE", entry.message),
            ("PRIORITY", String(entry.level.rawValue)),
            ("SYSLOG_IDENTIFIER", identifier ?? entry.label),
        ]
        if let id = entry.messageID { fields.append(("MESSAGE_ID", id.hex)) }
        if let source = entry.source {
            fields.append(("CODE_FILE", source.file))
            fields.append(("CODE_LINE", String(source.line)))
            fields.append(("CODE_FUNC", source.function))
        }
        fields += process
        let mapped = entry.metadata.map { (name: fieldName(forMetadataKey: $0.key), value: $0.value, key: $0.key) }
        for field in mapped.sorted(by: { ($0.name, $0.key) < ($1.name, $1.key) }) {
            fields.append((field.name, field.value))
        }
        return fields
    }
}
