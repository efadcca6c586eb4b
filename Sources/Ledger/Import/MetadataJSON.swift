import JSON

/// The metadata column read back: the ledger's JSON text as a map of strings.
enum MetadataJSON {
    /// The metadata column as a map, or nil when it is not a JSON object this parser reads.
    ///
    /// The schema's CHECK and triggers should make that impossible, but a ledger edited by
    /// hand or read by SQLite more leniently than here must fail closed: the caller treats nil
    /// as held. A value that is not a scalar keeps its key, with its JSON text as the value.
    static func stored(_ text: String) -> [String: String]? {
        if text == "{}" { return [:] }
        guard case .object(let members)? = try? JSONParser.parse(text) else { return nil }
        var map: [String: String] = [:]
        for (key, value) in members { map[key] = value.metadataText }
        return map
    }

    /// The metadata column as a map; the schema's CHECK guarantees a JSON object.
    static func map(_ text: String) -> [String: String] {
        guard text != "{}", case .object(let members)? = try? JSONParser.parse(text) else { return [:] }
        var map: [String: String] = [:]
        for (key, value) in members {
            switch value {
            case .string(let string): map[key] = string
            case .number(let number): map[key] = number.text
            case .bool(let flag): map[key] = flag ? "true" : "false"
            default: continue
            }
        }
        return map
    }
}

extension JSONValue {
    /// A scalar's text (a number as written); compact JSON for null, arrays and objects.
    var metadataText: String {
        switch self {
        case .string(let string): return string
        case .number(let number): return number.text
        case .bool(let flag): return flag ? "true" : "false"
        case .null, .array, .object: return JSONWriter.text(self)
        }
    }
}

/// The import's fast path for metadata: a flat object of plain strings straight to the
/// text `JSONWriter.sortedObject` would write for it, without building strings or a dictionary.
enum PlainMetadata {
    /// Writes the canonical text of `bytes` into `out` and returns true when `bytes` is a
    /// JSON object of at most `ThreadImport.maximumKeys` distinct keys whose keys and values
    /// are printable ASCII without escapes, within the API's lengths. Returns false for
    /// anything else, valid or not: the caller then takes the general parser, which also
    /// says what is wrong.
    static func canonicalize(_ bytes: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) -> Bool {
        withUnsafeTemporaryAllocation(of: Member.self, capacity: ThreadImport.maximumKeys) { members in
            guard let count = scan(bytes, into: members) else { return false }
            // Keys in byte order, as JSONWriter sorts them; a repeated key takes the general path.
            for index in 1..<max(count, 1) {
                let member = members[index]
                var slot = index
                while slot > 0, key(members[slot - 1], bytes).lexicographicallyPrecedes(key(member, bytes)) == false {
                    if key(members[slot - 1], bytes).elementsEqual(key(member, bytes)) { return false }
                    members[slot] = members[slot - 1]
                    slot -= 1
                }
                members[slot] = member
            }
            out.removeAll(keepingCapacity: true)
            out.append(UInt8(ascii: "{"))
            for index in 0..<count {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                out.append(UInt8(ascii: "\""))
                out.append(contentsOf: key(members[index], bytes))
                out.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":"), UInt8(ascii: "\"")])
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[members[index].value]))
                out.append(UInt8(ascii: "\""))
            }
            out.append(UInt8(ascii: "}"))
            return true
        }
    }

    private struct Member {
        var key: Range<Int>
        var value: Range<Int>
    }

    private static func key(_ member: Member, _ bytes: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: bytes[member.key])
    }

    /// The members of a flat object of plain strings, or nil.
    private static func scan(_ bytes: UnsafeBufferPointer<UInt8>, into members: UnsafeMutableBufferPointer<Member>) -> Int? {
        var scanner = JSONScanner(bytes)
        guard scanner.take(UInt8(ascii: "{")) else { return nil }
        var count = 0
        if !scanner.take(UInt8(ascii: "}")) {
            repeat {
                guard count < members.count, let key = scanner.plainString(limit: ThreadImport.maximumKeyLength),
                    scanner.take(UInt8(ascii: ":")), let value = scanner.plainString(limit: ThreadImport.maximumValueLength)
                else { return nil }
                members[count] = Member(key: key, value: value)
                count += 1
            } while scanner.take(UInt8(ascii: ","))
            guard scanner.take(UInt8(ascii: "}")) else { return nil }
        }
        scanner.skipWhitespace()
        return scanner.atEnd ? count : nil
    }
}
