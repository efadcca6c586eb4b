import Foundation

/// Any JSON value, for the parts of an answer threadkeeper passes through without interpreting.
///
/// `tool_resources` and message attachments vary by provider; keeping them as a tree lets the
/// archive store them exactly while the typed fields stay strict.
public enum JSONValue: Sendable, Hashable, Codable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// The text of a scalar (`"x"`, `12`, `true`), nil for null, arrays and objects.
    var scalarText: String? {
        switch self {
        case .string(let text): return text
        case .bool(let value): return value ? "true" : "false"
        case .number(let value):
            if value.rounded() == value, abs(value) < 1e15 { return String(Int64(value)) }
            return String(value)
        case .null, .array, .object: return nil
        }
    }
}

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
    /// Compact JSON text with sorted keys (`null`, `[1,"a"]`, `{"k":"v"}`).
    var jsonText: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(self) else { return "null" }
        return String(decoding: data, as: UTF8.self)
    }
}
