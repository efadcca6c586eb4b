import JSON

/// Decodes `metadata`: an object of strings, where `null` or an absent field means empty.
///
/// Providers that echo numbers or booleans get them as their text, so one odd value never
/// makes a whole thread unreadable. A key whose value is `null`, an array or an object is
/// kept, with the value's JSON text: dropping it would make a hold key with such a value
/// read as no hold at all.
enum MetadataCoding {
    static func decode<Key: CodingKey>(_ container: KeyedDecodingContainer<Key>, forKey key: Key) throws -> [String: String] {
        guard let raw = try container.decodeIfPresent([String: JSONValue].self, forKey: key) else { return [:] }
        var metadata: [String: String] = [:]
        for (name, value) in raw { metadata[name] = value.scalarText ?? value.jsonText }
        return metadata
    }
}

extension JSONValue {
    /// The text of a scalar (`"x"`, `12`, `true`), nil for null, arrays and objects.
    var scalarText: String? {
        switch self {
        case .string(let text): return text
        case .bool(let value): return value ? "true" : "false"
        case .number(let number): return number.text
        case .null, .array, .object: return nil
        }
    }

    /// Compact JSON text with sorted keys (`null`, `[1,"a"]`, `{"k":"v"}`).
    var jsonText: String { JSONWriter.text(self, .sortedKeys) }
}
