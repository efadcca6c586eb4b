/// How `JSONWriter.text(_:_:)` lays a value out.
public struct JSONFormat: OptionSet, Sendable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// Object members in byte order of their keys, so equal values print equal text.
    public static let sortedKeys = JSONFormat(rawValue: 1 << 0)
    /// One member or element a line, indented by two spaces, `"key" : value`: the layout
    /// `threadkeeper archive show` and `calendar --json` have always printed.
    public static let prettyPrinted = JSONFormat(rawValue: 1 << 1)
}

extension JSONWriter {
    /// `value` as JSON text: compact, or laid out as `format` says.
    public static func text(_ value: JSONValue, _ format: JSONFormat = []) -> String {
        var writer = JSONWriter()
        writer.value(value, format)
        return writer.text
    }

    /// Writes `value` as `format` says.
    public mutating func value(_ value: JSONValue, _ format: JSONFormat) {
        if format.isEmpty {
            self.value(value)
        } else {
            write(value, format, indent: 0)
        }
    }

    private mutating func write(_ value: JSONValue, _ format: JSONFormat, indent: Int) {
        let pretty = format.contains(.prettyPrinted)
        switch value {
        case .array(let elements):
            bytes.append(UInt8(ascii: "["))
            if pretty, elements.isEmpty { newline(indent: 0) }
            for (index, element) in elements.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                if pretty { newline(indent: indent + 1) }
                write(element, format, indent: indent + 1)
            }
            if pretty { newline(indent: indent) }
            bytes.append(UInt8(ascii: "]"))
        case .object(var members):
            if format.contains(.sortedKeys) { members.sort { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) } }
            bytes.append(UInt8(ascii: "{"))
            if pretty, members.isEmpty { newline(indent: 0) }
            for (index, member) in members.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                if pretty { newline(indent: indent + 1) }
                string(member.0)
                if pretty { raw(" : ") } else { bytes.append(UInt8(ascii: ":")) }
                write(member.1, format, indent: indent + 1)
            }
            if pretty { newline(indent: indent) }
            bytes.append(UInt8(ascii: "}"))
        default:
            self.value(value)
        }
    }

    private mutating func newline(indent: Int) {
        bytes.append(0x0A)
        bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * indent))
    }

    /// `text` as a JSON string literal.
    public static func quoted(_ text: String) -> String {
        var out = ""
        quote(text, into: &out)
        return out
    }

    /// Appends `text` as a JSON string literal, escaped as `string(_:)` escapes it.
    ///
    /// For callers building a `String` line by line (the ledger's export): most texts need no
    /// escape, and those are appended whole.
    public static func quote(_ text: String, into out: inout String) {
        out += "\""
        var plain = true
        for byte in text.utf8 where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
            plain = false
            break
        }
        if plain {
            out += text
        } else {
            var writer = JSONWriter(capacity: text.utf8.count + 8)
            writer.string(text)
            out += String(decoding: writer.bytes.dropFirst().dropLast(), as: UTF8.self)
        }
        out += "\""
    }

    /// `{"k":"v",…}` with keys in byte order, so equal maps give equal text: the canonical
    /// form the ledger stores metadata in.
    public static func sortedObject(_ map: [String: String]) -> String {
        var out = "{"
        var first = true
        for key in map.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            if !first { out += "," }
            first = false
            quote(key, into: &out)
            out += ":"
            quote(map[key]!, into: &out)
        }
        return out + "}"
    }
}
