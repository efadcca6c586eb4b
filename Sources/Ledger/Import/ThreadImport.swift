import Foundation
import JSON
import Schedule

/// The formats `threadkeeper import` reads.
public enum ImportFormat: String, Sendable, Hashable, CaseIterable {
    /// One thread or conversation object a line, as the API returns it
    /// (`{"id":…,"object":"thread","created_at":…,"metadata":{…}}`, `"object":"conversation"`).
    case jsonl
    /// A header naming the columns (`id,created_at,metadata`, optionally `object` or `kind`), then
    /// one thread a line; RFC 4180 quoting.
    case csv
    /// One id a line; `conv_…` ids are conversations, any other a thread.
    case ids
}

/// One thread read from an import file: what the file says, nil where it says nothing.
public struct ThreadImport: Sendable, Hashable {
    public var id: String
    /// The kind the file states, else the one the id's prefix names (`ObjectKind.inferred`).
    public var object: ObjectKind
    /// Nil when the file does not say (bare ids): a new thread then has no `created_at`
    /// (unknown age, which no age condition matches) until `sync` reads it from the API.
    public var createdAt: Int64?
    /// The metadata as the ledger stores it (`JSONWriter.sortedObject`'s text), nil when the file
    /// does not say: a known thread keeps its metadata, a new one gets none.
    public private(set) var metadataJSON: String?
    /// Why the metadata breaks the API's limits, found when it was set.
    private var metadataProblem: String?

    public init(id: String, createdAt: Int64? = nil, metadata: [String: String]? = nil, object: ObjectKind? = nil) {
        self.id = id
        self.object = object ?? .inferred(from: id)
        self.createdAt = createdAt
        self.metadata = metadata
    }

    /// A thread whose metadata is already canonical text within the API's limits.
    init(id: String, createdAt: Int64?, canonicalMetadata: String?, object: ObjectKind? = nil) {
        self.id = id
        self.object = object ?? .inferred(from: id)
        self.createdAt = createdAt
        self.metadataJSON = canonicalMetadata
    }

    /// Nil when the file does not say.
    public var metadata: [String: String]? {
        get { metadataJSON.map(MetadataJSON.map) }
        set {
            metadataJSON = newValue.map(JSONWriter.sortedObject)
            metadataProblem = newValue.flatMap(Self.problem(of:))
        }
    }

    /// The API's limits: at most 16 keys, keys up to 64 characters, values up to 512.
    public static let maximumKeys = 16
    public static let maximumKeyLength = 64
    public static let maximumValueLength = 512
    public static let maximumIDLength = 256

    /// Ids are opaque, but they go into URL paths: only unreserved characters are accepted.
    static func isIDByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        case UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: ":"), UInt8(ascii: "~"): return true
        default: return false
        }
    }

    /// Why this is not a thread the ledger can keep, or nil when it is fine.
    public func problem() -> String? {
        if id.isEmpty { return "empty thread id" }
        if id.utf8.count > Self.maximumIDLength { return "thread id longer than \(Self.maximumIDLength) bytes" }
        if !id.utf8.allSatisfy(Self.isIDByte) {
            return "thread id '\(id.debugDescription.dropFirst().dropLast())' has a character other than letters, digits and - _ . : ~"
        }
        if let createdAt, createdAt < 0 { return "created_at \(createdAt) is negative" }
        if let named = ObjectKind(idPrefixOf: id), named != object {
            return "object is '\(object.rawValue)' but the id '\(id)' is a \(named.noun)'s; fix the object or the id"
        }
        return metadataProblem
    }

    /// Why `metadata` breaks the API's limits, or nil.
    static func problem(of metadata: [String: String]) -> String? {
        if metadata.count > maximumKeys { return "metadata has \(metadata.count) keys; the API allows \(maximumKeys)" }
        for (key, value) in metadata {
            if key.count > maximumKeyLength { return "metadata key '\(key.prefix(20))…' is longer than \(maximumKeyLength)" }
            if value.count > maximumValueLength {
                return "metadata value of '\(key)' is longer than \(maximumValueLength) characters"
            }
        }
        return nil
    }
}

/// One line of an import: a thread, nothing (a blank line), or why it was skipped.
public enum ImportLine: Sendable, Hashable {
    case thread(ThreadImport)
    case blank
    case bad(String)
}

/// Turns lines of one format into threads.
public struct ImportLineParser: Sendable {
    public let format: ImportFormat
    /// Column positions of id, created_at, metadata and the kind, from the CSV header.
    private var columns: Columns?
    /// Reused by the CSV fast path: the line's fields unquoted, end to end, and where each ends.
    private var fieldBytes: [UInt8] = []
    private var fieldEnds: [Int] = []
    /// Reused by the metadata fast path: the canonical text.
    private var canonical: [UInt8] = []

    public init(format: ImportFormat) { self.format = format }

    /// False for a CSV file until its header has been read and names an `id` column.
    public var hasHeader: Bool { format != .csv || columns != nil }

    /// The format a file's first non-blank line suggests.
    public static func detect(_ line: UnsafeBufferPointer<UInt8>) -> ImportFormat {
        let text = trimmed(line)
        if text.first == UInt8(ascii: "{") { return .jsonl }
        // A comma is never part of an id (`isIDByte`): a first line with one is a CSV header,
        // whose columns `readHeader` then checks (rather than reading it as a file of bad ids).
        if text.contains(UInt8(ascii: ",")), let header = CSV.fields(text), header.count > 1 {
            return .csv
        }
        return .ids
    }

    /// Parses one line given as a String.
    public mutating func parsed(_ line: String) -> ImportLine {
        var line = line
        return line.withUTF8 { parse($0) }
    }

    /// Parses one line; a CSV file's first non-blank line is its header.
    public mutating func parse(_ line: UnsafeBufferPointer<UInt8>) -> ImportLine {
        let text = Self.trimmed(line)
        if text.isEmpty { return .blank }
        switch format {
        case .ids: return Self.parseID(text)
        case .jsonl: return plainJSON(text) ?? Self.parseJSON(text)
        case .csv:
            guard let columns else { return readHeader(text) }
            return plainCSV(text, columns) ?? Self.parseCSV(text, columns)
        }
    }

    private static func parseID(_ text: UnsafeBufferPointer<UInt8>) -> ImportLine {
        if text.first == UInt8(ascii: "#") { return .blank }
        guard let id = String(validating: text, as: UTF8.self) else { return .bad("not valid UTF-8") }
        return checked(ThreadImport(id: id))
    }

    static func parseJSON(_ text: UnsafeBufferPointer<UInt8>) -> ImportLine {
        let value: JSONValue
        do { value = try JSONParser.parse(text) } catch { return .bad("bad JSON: \(error)") }
        guard case .object = value else { return .bad("expected a thread object, got \(value.typeName)") }
        var kind: ObjectKind?
        if let object = value["object"] {
            guard case .string(let name) = object else {
                return .bad("\"object\" is \(object.typeName), not \"thread\" or \"conversation\"")
            }
            guard let named = ObjectKind(rawValue: name) else { return .bad("object is '\(name)', not 'thread' or 'conversation'") }
            kind = named
        }
        guard case .string(let id)? = value["id"] else {
            return .bad(value["id"] == nil ? "missing \"id\"" : "\"id\" is \(value["id"]!.typeName), not a string")
        }
        var createdAt: Int64?
        switch value["created_at"] {
        case .number(let number)?:
            let text = number.text
            guard let number = Int64(text) else { return .bad("created_at '\(text)' is not a whole number of seconds") }
            createdAt = number
        case .string(let text)?:
            switch timestamp(text) {
            case .success(let seconds): createdAt = seconds
            case .failure(let problem): return .bad(problem.reason)
            }
        case nil, .null?: createdAt = nil
        case let other?: return .bad("created_at is \(other.typeName), not a number or a timestamp")
        }
        var metadata: [String: String]?
        switch value["metadata"] {
        case nil: metadata = nil
        case .null?: metadata = [:]
        case .object(let members)?:
            var map: [String: String] = [:]
            for (key, member) in members {
                guard case .string(let string) = member else { return .bad("metadata '\(key)' is \(member.typeName), not a string") }
                map[key] = string
            }
            metadata = map
        case let other?: return .bad("metadata is \(other.typeName), not an object")
        }
        return checked(ThreadImport(id: id, createdAt: createdAt, metadata: metadata, object: kind))
    }

    private mutating func readHeader(_ text: UnsafeBufferPointer<UInt8>) -> ImportLine {
        guard let header = CSV.fields(text)?.map({ $0.trimmingSpaces().lowercased() }) else {
            return .bad("bad CSV header")
        }
        guard let id = header.firstIndex(of: "id") else {
            let found = header.map { "'\($0)'" }.joined(separator: ", ")
            return .bad(
                "the CSV header names no 'id' column (found \(found)); name the columns id, created_at and metadata, "
                    + "e.g. SELECT thread_id AS id, created_at FROM … in the export")
        }
        columns = Columns(
            id: id, createdAt: header.firstIndex(of: "created_at"), metadata: header.firstIndex(of: "metadata"),
            object: header.firstIndex(of: "object") ?? header.firstIndex(of: "kind"))
        return .blank
    }

    /// The fast path of a CSV line: a valid id, a created_at of plain digits, metadata
    /// `PlainMetadata` takes. Nil for anything else, which the general path parses (and
    /// explains when it is bad).
    private mutating func plainCSV(_ text: UnsafeBufferPointer<UInt8>, _ columns: Columns) -> ImportLine? {
        // A kind column goes through the general path, which checks it against the id.
        guard columns.object == nil, CSV.split(text, into: &fieldBytes, ends: &fieldEnds), fieldEnds.count > columns.last
        else { return nil }
        return fieldBytes.withUnsafeBufferPointer { all -> ImportLine? in
            func field(_ index: Int) -> UnsafeBufferPointer<UInt8> {
                UnsafeBufferPointer(rebasing: all[(index == 0 ? 0 : fieldEnds[index - 1])..<fieldEnds[index]])
            }
            let id = field(columns.id)
            guard Self.isPlainID(id) else { return nil }
            var createdAt: Int64?
            if let index = columns.createdAt, !field(index).isEmpty {
                guard let number = Self.plainNumber(field(index)) else { return nil }
                createdAt = number
            }
            var metadata: String?
            if let index = columns.metadata, !field(index).isEmpty {
                guard let text = Self.canonicalMetadata(field(index), buffer: &canonical) else { return nil }
                metadata = text
            }
            return .thread(ThreadImport(id: String(decoding: id, as: UTF8.self), createdAt: createdAt, canonicalMetadata: metadata))
        }
    }

    /// The fast path of a JSONL line: a thread object whose strings are all plain (see
    /// `JSONScanner`), each member once, a valid id, created_at of plain digits or null,
    /// and metadata `PlainMetadata` takes, or null. Nil for anything else, which the general
    /// path parses (and explains when it is bad).
    private mutating func plainJSON(_ text: UnsafeBufferPointer<UInt8>) -> ImportLine? {
        var scanner = JSONScanner(text)
        func named(_ range: Range<Int>, _ word: StaticString) -> Bool {
            range.count == word.utf8CodeUnitCount
                && UnsafeBufferPointer(rebasing: text[range]).elementsEqual(UnsafeBufferPointer(start: word.utf8Start, count: range.count))
        }
        var id: Range<Int>?
        var object: Range<Int>?
        var kind: ObjectKind?
        var createdAt: Int64?
        var metadata: Range<Int>?
        var seenCreatedAt = false
        var seenMetadata = false
        guard scanner.take(UInt8(ascii: "{")) else { return nil }
        if !scanner.take(UInt8(ascii: "}")) {
            repeat {
                guard let key = scanner.plainString(), scanner.take(UInt8(ascii: ":")) else { return nil }
                if named(key, "id") {
                    guard id == nil, let value = scanner.plainString() else { return nil }
                    id = value
                } else if named(key, "object") {
                    guard object == nil, let value = scanner.plainString() else { return nil }
                    if named(value, "thread") {
                        kind = .thread
                    } else if named(value, "conversation") {
                        kind = .conversation
                    } else {
                        return nil
                    }
                    object = value
                } else if named(key, "created_at") {
                    guard !seenCreatedAt else { return nil }
                    seenCreatedAt = true
                    if !scanner.literal("null") {
                        guard let value = scanner.number(), let number = Self.plainNumber(UnsafeBufferPointer(rebasing: text[value]))
                        else { return nil }
                        createdAt = number
                    }
                } else if named(key, "metadata") {
                    guard !seenMetadata else { return nil }
                    seenMetadata = true
                    if !scanner.literal("null") {
                        scanner.skipWhitespace()
                        let start = scanner.index
                        guard scanner.skipValue() else { return nil }
                        metadata = start..<scanner.index
                    }
                } else {
                    guard scanner.skipValue() else { return nil }
                }
            } while scanner.take(UInt8(ascii: ","))
            guard scanner.take(UInt8(ascii: "}")) else { return nil }
        }
        scanner.skipWhitespace()
        guard scanner.atEnd, let id else { return nil }
        let idBytes = UnsafeBufferPointer(rebasing: text[id])
        guard Self.isPlainID(idBytes) else { return nil }
        let idText = String(decoding: idBytes, as: UTF8.self)
        // A stated kind the id's prefix contradicts: the general path explains it.
        if let kind, let named = ObjectKind(idPrefixOf: idText), named != kind { return nil }
        var metadataText: String?
        if let metadata {
            guard let text = Self.canonicalMetadata(UnsafeBufferPointer(rebasing: text[metadata]), buffer: &canonical) else {
                return nil
            }
            metadataText = text
        } else if seenMetadata {
            metadataText = "{}"
        }
        return .thread(ThreadImport(id: idText, createdAt: createdAt, canonicalMetadata: metadataText, object: kind))
    }

    /// Whether `bytes` is an id `ThreadImport.problem()` accepts, checked on the bytes.
    private static func isPlainID(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        !bytes.isEmpty && bytes.count <= ThreadImport.maximumIDLength && bytes.allSatisfy(ThreadImport.isIDByte)
    }

    /// The canonical text of metadata `PlainMetadata` takes, or nil; `buffer` is reused.
    private static func canonicalMetadata(_ bytes: UnsafeBufferPointer<UInt8>, buffer: inout [UInt8]) -> String? {
        guard PlainMetadata.canonicalize(bytes, into: &buffer) else { return nil }
        return String(decoding: buffer, as: UTF8.self)
    }

    struct TimestampProblem: Error { var reason: String }

    /// `created_at` as Unix seconds: a whole number, or a timestamp as rules write them
    /// (`2025-12-06 01:51:17`, `2025-12-06T01:51:17Z`, `+02:00` offsets; systemd.time(7), through
    /// the Schedule module's parser). A time without a zone is UTC, as database exports are.
    /// Relative forms (`yesterday`, `-30d`) are refused: a file must mean the same every day.
    static func timestamp(_ text: String) -> Result<Int64, TimestampProblem> {
        if let number = Int64(text) { return .success(number) }
        do {
            guard let first = text.first, first.isASCII, first.isNumber || first == "@" else {
                throw TimestampProblem(reason: "relative")
            }
            return .success(try Timestamp.parse(text, now: Int64(Date().timeIntervalSince1970), timeZone: utc))
        } catch {
            if text.allSatisfy({ $0.isNumber || $0.isWhitespace || $0 == "-" || $0 == "+" }) {
                return .failure(TimestampProblem(reason: "created_at '\(text)' is not a whole number of seconds"))
            }
            return .failure(
                TimestampProblem(
                    reason: "created_at '\(text)' is neither Unix seconds nor a timestamp like 2025-12-06 01:51:17, "
                        + "2025-12-06T01:51:17Z or 2025-12-06T01:51:17+02:00"))
        }
    }

    private static let utc = TimeZone(identifier: "UTC")!

    /// A whole number of at most 18 plain digits, spaces around allowed, or nil.
    private static func plainNumber(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        var lower = 0
        var upper = bytes.count
        while lower < upper, bytes[lower] == 0x20 { lower += 1 }
        while upper > lower, bytes[upper - 1] == 0x20 { upper -= 1 }
        guard lower < upper, upper - lower <= 18 else { return nil }
        var value: Int64 = 0
        for byte in bytes[lower..<upper] {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int64(byte - UInt8(ascii: "0"))
        }
        return value
    }

    static func parseCSV(_ text: UnsafeBufferPointer<UInt8>, _ columns: Columns) -> ImportLine {
        guard let fields = CSV.fields(text) else { return .bad("bad CSV: unterminated quoted field or stray quote") }
        let needed = columns.last + 1
        guard fields.count >= needed else { return .bad("expected at least \(needed) fields, got \(fields.count)") }
        var kind: ObjectKind?
        if let index = columns.object, !fields[index].trimmingSpaces().isEmpty {
            let name = fields[index].trimmingSpaces()
            guard let named = ObjectKind(rawValue: name) else { return .bad("object is '\(name)', not 'thread' or 'conversation'") }
            kind = named
        }
        var record = ThreadImport(id: fields[columns.id], object: kind)
        if let index = columns.createdAt, !fields[index].trimmingSpaces().isEmpty {
            switch timestamp(fields[index].trimmingSpaces()) {
            case .success(let seconds): record.createdAt = seconds
            case .failure(let problem): return .bad(problem.reason)
            }
        }
        if let index = columns.metadata, !fields[index].isEmpty {
            let value: JSONValue
            do { value = try JSONParser.parse(fields[index]) } catch { return .bad("bad metadata JSON: \(error)") }
            switch value {
            case .null: record.metadata = [:]
            case .object(let members):
                var map: [String: String] = [:]
                for (key, member) in members {
                    guard case .string(let string) = member else {
                        return .bad("metadata '\(key)' is \(member.typeName), not a string")
                    }
                    map[key] = string
                }
                record.metadata = map
            default: return .bad("metadata is \(value.typeName), not an object")
            }
        }
        return checked(record)
    }

    private static func checked(_ record: ThreadImport) -> ImportLine {
        if let problem = record.problem() { return .bad(problem) }
        return .thread(record)
    }

    /// The line without surrounding spaces, tabs and a UTF-8 byte order mark.
    static func trimmed(_ line: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        var lower = 0
        var upper = line.count
        if upper >= 3, line[0] == 0xEF, line[1] == 0xBB, line[2] == 0xBF { lower = 3 }
        while lower < upper, line[lower] == 0x20 || line[lower] == 0x09 { lower += 1 }
        while upper > lower, line[upper - 1] == 0x20 || line[upper - 1] == 0x09 { upper -= 1 }
        return UnsafeBufferPointer(rebasing: line[lower..<upper])
    }
}

extension ImportLineParser {
    /// Where a CSV file's columns are, from its header.
    struct Columns: Sendable {
        var id: Int
        var createdAt: Int?
        var metadata: Int?
        /// `object` or `kind`: thread or conversation (empty: the id's prefix decides).
        var object: Int?

        /// The highest position a line must reach.
        var last: Int { max(id, createdAt ?? 0, metadata ?? 0, object ?? 0) }
    }
}

/// RFC 4180 fields: reading one line, quoting one field.
public enum CSV {
    /// The fields of `line`, or nil when a quoted field is unterminated or a quote is stray.
    static func fields(_ line: UnsafeBufferPointer<UInt8>) -> [String]? {
        var bytes: [UInt8] = []
        var ends: [Int] = []
        guard split(line, into: &bytes, ends: &ends) else { return nil }
        var start = 0
        return ends.map { end in
            defer { start = end }
            return String(decoding: bytes[start..<end], as: UTF8.self)
        }
    }

    /// Splits `line` into its fields, unquoted, written end to end into `bytes`, with the
    /// end of each in `ends`; false when a quoted field is unterminated or a quote is stray.
    /// The reused buffers keep a million lines from allocating a million arrays.
    static func split(_ line: UnsafeBufferPointer<UInt8>, into bytes: inout [UInt8], ends: inout [Int]) -> Bool {
        bytes.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
        let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ",")
        var index = 0
        while true {
            if index < line.count, line[index] == quote {
                index += 1
                while true {
                    let start = index
                    while index < line.count, line[index] != quote { index += 1 }
                    guard index < line.count else { return false }
                    bytes.append(contentsOf: UnsafeBufferPointer(rebasing: line[start..<index]))
                    index += 1
                    // A doubled quote is one quote inside the field; a single one ends it.
                    guard index < line.count, line[index] == quote else { break }
                    bytes.append(quote)
                    index += 1
                }
                ends.append(bytes.count)
                if index == line.count { return true }
                guard line[index] == comma else { return false }
                index += 1
            } else {
                let start = index
                while index < line.count, line[index] != comma {
                    if line[index] == quote { return false }
                    index += 1
                }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: line[start..<index]))
                ends.append(bytes.count)
                if index == line.count { return true }
                index += 1
            }
        }
    }

    /// `text` as a CSV field: quoted when it holds a comma, quote or line break.
    public static func field(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D })
        else { return text }
        return "\"" + text.doublingQuotes() + "\""
    }
}

extension String {
    fileprivate func trimmingSpaces() -> String {
        var text = Substring(self)
        while text.first == " " { text = text.dropFirst() }
        while text.last == " " { text = text.dropLast() }
        return String(text)
    }

    fileprivate func doublingQuotes() -> String {
        var out = ""
        for character in self {
            if character == "\"" { out += "\"" }
            out.append(character)
        }
        return out
    }
}
