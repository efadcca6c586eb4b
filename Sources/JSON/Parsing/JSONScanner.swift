/// A cursor over JSON text: the lexical pieces the parser and the import's fast paths share.
///
/// The fast-path methods accept a strict subset of JSON (strings of printable ASCII without
/// escapes; everything else as RFC 8259 has it) and answer nil or false outside it, valid or
/// not, so the caller can hand the text to `JSONParser`, which reads everything and says what
/// is wrong. They are inlinable: the import calls them for every field of millions of lines.
public struct JSONScanner {
    public let bytes: UnsafeBufferPointer<UInt8>
    public var index = 0

    @inlinable
    public init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    @inlinable
    public var atEnd: Bool { index == bytes.count }

    /// Skips JSON's four whitespace bytes: space, tab, line feed, carriage return.
    @inlinable
    public mutating func skipWhitespace() {
        while index < bytes.count, JSONScanner.isWhitespace(bytes[index]) { index += 1 }
    }

    @inlinable
    public static func isWhitespace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }

    @inlinable
    public static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    /// Skips whitespace, then consumes `byte` if it is next.
    @inlinable
    public mutating func take(_ byte: UInt8) -> Bool {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    /// The contents of a quoted string of printable ASCII other than `"` and `\`, at most `limit` bytes.
    @inlinable
    public mutating func plainString(limit: Int = .max) -> Range<Int>? {
        guard take(UInt8(ascii: "\"")) else { return nil }
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return index - 1 - start <= limit ? start..<(index - 1) : nil
            }
            guard byte >= 0x20, byte < 0x7F, byte != UInt8(ascii: "\\") else { return nil }
            index += 1
        }
        return nil
    }

    /// A JSON number, as RFC 8259 writes it.
    @inlinable
    public mutating func number() -> Range<Int>? {
        skipWhitespace()
        let start = index
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        let integer = index
        let count = digits()
        // No leading zeros: "0" alone, or a digit 1-9 first.
        guard count > 0, count == 1 || bytes[integer] != UInt8(ascii: "0") else { return nil }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { return nil }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { return nil }
        }
        return start..<index
    }

    /// Consumes a run of digits and says how long it was.
    @inlinable
    public mutating func digits() -> Int {
        let start = index
        while index < bytes.count, JSONScanner.isDigit(bytes[index]) { index += 1 }
        return index - start
    }

    /// Whether `word` (`null`, `true`, `false`) is next, without consuming it.
    @inlinable
    public func matches(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { return false }
        return true
    }

    /// Consumes `word` (`null`, `true`, `false`) if it is next.
    @inlinable
    public mutating func literal(_ word: StaticString) -> Bool {
        skipWhitespace()
        guard matches(word) else { return false }
        index += word.utf8CodeUnitCount
        return true
    }

    /// Skips one value of the subset, nested at most `depth` levels.
    @inlinable
    public mutating func skipValue(depth: Int = 16) -> Bool {
        skipWhitespace()
        guard index < bytes.count, depth > 0 else { return false }
        switch bytes[index] {
        case UInt8(ascii: "\""): return plainString() != nil
        case UInt8(ascii: "{"):
            index += 1
            if take(UInt8(ascii: "}")) { return true }
            repeat {
                guard plainString() != nil, take(UInt8(ascii: ":")), skipValue(depth: depth - 1) else { return false }
            } while take(UInt8(ascii: ","))
            return take(UInt8(ascii: "}"))
        case UInt8(ascii: "["):
            index += 1
            if take(UInt8(ascii: "]")) { return true }
            repeat {
                guard skipValue(depth: depth - 1) else { return false }
            } while take(UInt8(ascii: ","))
            return take(UInt8(ascii: "]"))
        case UInt8(ascii: "n"): return literal("null")
        case UInt8(ascii: "t"): return literal("true")
        case UInt8(ascii: "f"): return literal("false")
        default: return number() != nil
        }
    }
}
