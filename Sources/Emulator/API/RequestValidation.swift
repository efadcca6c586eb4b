import JSON

/// Checks request bodies the way OpenAI does and turns them into stored values.
enum RequestValidation {
    static let maxMetadataKeys = 16
    static let maxMetadataKeyLength = 64
    static let maxMetadataValueLength = 512

    /// The body as a JSON object; an empty body counts as `{}`.
    static func object(_ body: [UInt8]) throws(APIErrorResponse) -> [(String, JSONValue)] {
        if body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return [] }
        let value: JSONValue
        do { value = try JSONParser.parse(body) } catch { throw APIErrorResponse.invalidJSON }
        guard case .object(let members) = value else { throw APIErrorResponse.invalidJSON }
        return members
    }

    /// Refuses a member outside `allowed`, as OpenAI does.
    static func checkKnown(_ members: [(String, JSONValue)], allowed: Set<String>, prefix: String = "")
        throws(APIErrorResponse)
    {
        if let unknown = members.first(where: { !allowed.contains($0.0) }) {
            throw APIErrorResponse.unknownParameter(prefix + unknown.0)
        }
    }

    /// `metadata`: an object of at most 16 string values; `null` means empty.
    static func metadata(_ value: JSONValue, param: String) throws(APIErrorResponse) -> [(String, String)] {
        switch value {
        case .null: return []
        case .object(let members):
            if members.count > maxMetadataKeys {
                throw APIErrorResponse(
                    status: 400,
                    message: "Invalid '\(param)': too many properties. Expected an object with at most \(maxMetadataKeys) "
                        + "properties, but got an object with \(members.count) properties instead.",
                    param: param, code: "object_above_max_properties")
            }
            var pairs: [(String, String)] = []
            pairs.reserveCapacity(members.count)
            for (key, member) in members {
                let keyLength = key.unicodeScalars.count
                if keyLength > maxMetadataKeyLength {
                    throw APIErrorResponse(
                        status: 400,
                        message: "Invalid '\(param)': key too long. Expected a key with maximum length \(maxMetadataKeyLength), "
                            + "but got a key with length \(keyLength) instead.",
                        param: param, code: "string_above_max_length")
                }
                guard case .string(let text) = member else {
                    throw APIErrorResponse.invalidType("\(param).\(key)", expected: "a string", got: member)
                }
                let length = text.unicodeScalars.count
                if length > maxMetadataValueLength {
                    throw APIErrorResponse(
                        status: 400,
                        message: "Invalid '\(param).\(key)': string too long. Expected a string with maximum length "
                            + "\(maxMetadataValueLength), but got a string with length \(length) instead.",
                        param: "\(param).\(key)", code: "string_above_max_length")
                }
                if let existing = pairs.firstIndex(where: { $0.0 == key }) {
                    pairs[existing].1 = text
                } else {
                    pairs.append((key, text))
                }
            }
            return pairs
        default:
            throw APIErrorResponse.invalidType(param, expected: "an object", got: value)
        }
    }

    /// `tool_resources`: an object, or null for none.
    static func toolResources(_ value: JSONValue, param: String) throws(APIErrorResponse) -> JSONValue? {
        switch value {
        case .null: return nil
        case .object(let members): return members.isEmpty ? nil : value
        default: throw APIErrorResponse.invalidType(param, expected: "an object", got: value)
        }
    }

    /// A message in a create-message body or in a create-thread `messages` array.
    static func message(
        _ members: [(String, JSONValue)], prefix: String, id: String, createdAt: Int64
    ) throws(APIErrorResponse) -> StoredMessage {
        try checkKnown(members, allowed: ["role", "content", "attachments", "metadata"], prefix: prefix)
        let object = JSONValue.object(members)
        guard let roleValue = object["role"] else { throw APIErrorResponse.missing(prefix + "role") }
        guard case .string(let role) = roleValue else {
            throw APIErrorResponse.invalidType(prefix + "role", expected: "a string", got: roleValue)
        }
        guard role == "user" || role == "assistant" else {
            throw APIErrorResponse(
                status: 400, message: "Invalid value: '\(role)'. Supported values are: 'user' and 'assistant'.",
                param: prefix + "role", code: "invalid_value")
        }
        guard let contentValue = object["content"] else { throw APIErrorResponse.missing(prefix + "content") }
        let content = try self.content(contentValue, param: prefix + "content")
        var attachments = JSONValue.array([])
        if let value = object["attachments"] {
            switch value {
            case .null: break
            case .array: attachments = value
            default: throw APIErrorResponse.invalidType(prefix + "attachments", expected: "an array", got: value)
            }
        }
        let metadata = try object["metadata"].map { value throws(APIErrorResponse) in
            try self.metadata(value, param: prefix + "metadata")
        }
        return StoredMessage(
            id: id, createdAt: createdAt, role: role, content: content, attachments: attachments, metadata: metadata ?? [])
    }

    /// `content`: a string, or an array of parts (`{"type":"text","text":"…"}`, image parts kept as sent).
    static func content(_ value: JSONValue, param: String) throws(APIErrorResponse) -> [ContentPart] {
        switch value {
        case .string(let text):
            return [.text(text)]
        case .array(let parts):
            guard !parts.isEmpty else {
                throw APIErrorResponse(
                    status: 400,
                    message: "Invalid '\(param)': empty array. Expected an array with minimum length 1, but got an empty array instead.",
                    param: param, code: "empty_array")
            }
            var result: [ContentPart] = []
            for (index, part) in parts.enumerated() {
                let partParam = "\(param)[\(index)]"
                guard case .object = part else { throw APIErrorResponse.invalidType(partParam, expected: "an object", got: part) }
                guard let typeValue = part["type"] else { throw APIErrorResponse.missing(partParam + ".type") }
                guard case .string(let type) = typeValue else {
                    throw APIErrorResponse.invalidType(partParam + ".type", expected: "a string", got: typeValue)
                }
                switch type {
                case "text":
                    guard let textValue = part["text"] else { throw APIErrorResponse.missing(partParam + ".text") }
                    guard case .string(let text) = textValue else {
                        throw APIErrorResponse.invalidType(partParam + ".text", expected: "a string", got: textValue)
                    }
                    result.append(.text(text))
                case "image_file", "image_url":
                    result.append(.other(part))
                default:
                    throw APIErrorResponse(
                        status: 400,
                        message: "Invalid value: '\(type)'. Supported values are: 'image_file', 'image_url', and 'text'.",
                        param: partParam + ".type", code: "invalid_value")
                }
            }
            return result
        default:
            throw APIErrorResponse.invalidType(param, expected: "a string or an array", got: value)
        }
    }
}
