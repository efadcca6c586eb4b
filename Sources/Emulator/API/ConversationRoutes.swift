import JSON

/// OpenAI's Conversations API: `POST /conversations`, `GET|POST|DELETE /conversations/{id}`,
/// `GET|POST /conversations/{id}/items`, under `/v1` (OpenAI) or both prefixes (`any`).
///
/// Shapes follow openai-python's `types/conversations`: a conversation is `{"id","object":
/// "conversation","created_at","metadata"}`; a message item `{"id","type":"message","status",
/// "role","content":[…]}` whose string content becomes one `input_text` part (`output_text`
/// for the assistant); other item types are kept as sent, with an id added. An unknown
/// conversation answers 404 `Conversation with id 'ID' not found.` (`param` and `code` null).
extension ThreadsRouter {
    /// The route after `/conversations`.
    static func conversationRoute(_ rest: Substring.UTF8View.SubSequence) -> Route? {
        if rest.isEmpty { return .conversations }
        guard rest.first == UInt8(ascii: "/") else { return nil }
        let body = rest.dropFirst()
        let idEnd = body.firstIndex(of: UInt8(ascii: "/")) ?? body.endIndex
        guard idEnd > body.startIndex else { return nil }
        let id = String(Substring(body[..<idEnd]))
        if idEnd == body.endIndex { return .conversation(id) }
        let tail = body[body.index(after: idEnd)...]
        guard tail.elementsEqual("items".utf8) else { return nil }
        return .conversationItems(id)
    }

    func handleConversation(_ route: Route, method: String, _ request: EmulatorRequest, store: inout ThreadStore, now: Int64)
        throws(APIErrorResponse) -> EmulatorResponse
    {
        switch (route, method) {
        case (.conversations, _):
            let members = try RequestValidation.object(request.body)
            try RequestValidation.checkKnown(members, allowed: ["items", "metadata"])
            let body = JSONValue.object(members)
            let metadata = try body["metadata"].map { value throws(APIErrorResponse) in
                try RequestValidation.metadata(value, param: "metadata")
            }
            var items: [JSONValue] = []
            if let value = body["items"], value != .null {
                items = try Self.items(value, param: "items", store: &store)
            }
            let conversation = StoredConversation(
                id: store.newConversationID(), createdAt: now, metadata: metadata ?? [], items: items)
            store.conversations.insert(conversation)
            return .json(200, conversation.json)
        case (.conversation(let id), "GET"):
            guard let conversation = store.conversations.conversation(id) else { throw APIErrorResponse.noConversation(id) }
            return .json(200, conversation.json)
        case (.conversation(let id), "POST"):
            guard store.conversations.conversation(id) != nil else { throw APIErrorResponse.noConversation(id) }
            let members = try RequestValidation.object(request.body)
            try RequestValidation.checkKnown(members, allowed: ["metadata"])
            guard let value = JSONValue.object(members)["metadata"] else { throw APIErrorResponse.missing("metadata") }
            let metadata = try RequestValidation.metadata(value, param: "metadata")
            let merges = mergesMetadata
            let updated = store.conversations.update(id) { conversation -> StoredConversation in
                conversation.metadata = merges ? Self.merged(conversation.metadata, metadata) : metadata
                return conversation
            }
            guard let updated else { throw APIErrorResponse.noConversation(id) }
            return .json(200, updated.json)
        case (.conversation(let id), _):
            if refusesDeletes {
                guard store.conversations.conversation(id) != nil else { throw APIErrorResponse.noConversation(id) }
                return .json(200, Self.deletedBody(id, object: "conversation.deleted", deleted: false))
            }
            guard store.conversations.delete(id) else { throw APIErrorResponse.noConversation(id) }
            return .json(200, Self.deletedBody(id, object: "conversation.deleted"))
        case (.conversationItems(let id), "GET"):
            guard let conversation = store.conversations.conversation(id) else { throw APIErrorResponse.noConversation(id) }
            let query = try Self.listQuery(request)
            let ordered = query.ascending ? conversation.items : conversation.items.reversed()
            var lower = 0
            if let after = query.after {
                lower = ordered.firstIndex(where: { $0["id"]?.stringValue == after }).map { $0 + 1 } ?? ordered.count
            }
            let end = min(ordered.count, lower + query.limit)
            let page = lower < end ? Array(ordered[lower..<end]) : []
            return .json(200, Self.itemList(page, hasMore: end < ordered.count))
        case (.conversationItems(let id), _):
            guard store.conversations.conversation(id) != nil else { throw APIErrorResponse.noConversation(id) }
            let members = try RequestValidation.object(request.body)
            try RequestValidation.checkKnown(members, allowed: ["items"])
            guard let value = JSONValue.object(members)["items"] else { throw APIErrorResponse.missing("items") }
            let items = try Self.items(value, param: "items", store: &store)
            guard !items.isEmpty else {
                throw APIErrorResponse(
                    status: 400,
                    message: "Invalid 'items': empty array. Expected an array with minimum length 1, but got an empty array instead.",
                    param: "items", code: "empty_array")
            }
            _ = store.conversations.update(id) { $0.items += items }
            return .json(200, Self.itemList(items, hasMore: false))
        default:
            preconditionFailure("handleConversation is called with conversation routes only")
        }
    }

    /// `{"object":"list","data":[…],"first_id","last_id","has_more"}`.
    static func itemList(_ items: [JSONValue], hasMore: Bool) -> [UInt8] {
        var writer = JSONWriter(capacity: 128 + 200 * items.count)
        writer.raw("{\"object\":\"list\",\"data\":[")
        for (index, item) in items.enumerated() {
            if index > 0 { writer.raw(",") }
            writer.value(item)
        }
        writer.raw("],\"first_id\":")
        if let first = items.first?["id"]?.stringValue { writer.string(first) } else { writer.raw("null") }
        writer.raw(",\"last_id\":")
        if let last = items.last?["id"]?.stringValue { writer.string(last) } else { writer.raw("null") }
        writer.raw(",\"has_more\":")
        writer.bool(hasMore)
        writer.raw("}")
        return writer.bytes
    }

    /// The items of a create, as the API stores them; at most 20 at a time.
    static func items(_ value: JSONValue, param: String, store: inout ThreadStore) throws(APIErrorResponse) -> [JSONValue] {
        guard case .array(let list) = value else { throw APIErrorResponse.invalidType(param, expected: "an array", got: value) }
        if list.count > 20 {
            throw APIErrorResponse(
                status: 400,
                message:
                    "Invalid '\(param)': array too long. Expected an array with maximum length 20, but got an array with length \(list.count) instead.",
                param: param, code: "array_above_max_length")
        }
        var items: [JSONValue] = []
        for (index, item) in list.enumerated() {
            items.append(try self.item(item, param: "\(param)[\(index)]", store: &store))
        }
        return items
    }

    private static func item(_ value: JSONValue, param: String, store: inout ThreadStore) throws(APIErrorResponse) -> JSONValue {
        guard case .object(let members) = value else { throw APIErrorResponse.invalidType(param, expected: "an object", got: value) }
        let type = value["type"]?.stringValue ?? "message"
        guard type == "message" else {
            // Tool calls, their outputs, reasoning: kept as sent, with an id when they came without one.
            if value["id"] != nil { return value }
            return .object([("id", .string(store.newItemID(message: false)))] + members)
        }
        try RequestValidation.checkKnown(members, allowed: ["type", "role", "content", "id", "status"], prefix: param + ".")
        guard let roleValue = value["role"] else { throw APIErrorResponse.missing(param + ".role") }
        guard case .string(let role) = roleValue, ["user", "assistant", "system", "developer"].contains(role) else {
            throw APIErrorResponse(
                status: 400,
                message: "Invalid value: '\(roleValue.stringValue ?? roleValue.typeDescription)'. "
                    + "Supported values are: 'user', 'assistant', 'system', and 'developer'.",
                param: param + ".role", code: "invalid_value")
        }
        guard let contentValue = value["content"] else { throw APIErrorResponse.missing(param + ".content") }
        let content: JSONValue
        switch contentValue {
        case .string(let text):
            content =
                role == "assistant"
                ? .array([.object([("type", .string("output_text")), ("text", .string(text)), ("annotations", .array([]))])])
                : .array([.object([("type", .string("input_text")), ("text", .string(text))])])
        case .array(let parts):
            for (index, part) in parts.enumerated() {
                guard case .object = part, part["type"]?.stringValue != nil else {
                    throw APIErrorResponse.invalidType("\(param).content[\(index)]", expected: "an object with a type", got: part)
                }
            }
            content = contentValue
        default:
            throw APIErrorResponse.invalidType(param + ".content", expected: "a string or an array", got: contentValue)
        }
        return .object([
            ("id", .string(value["id"]?.stringValue ?? store.newItemID(message: true))), ("type", .string("message")),
            ("status", .string("completed")), ("role", .string(role)), ("content", content),
        ])
    }
}

extension APIErrorResponse {
    /// OpenAI's answer for an unknown conversation.
    static func noConversation(_ id: String) -> APIErrorResponse {
        APIErrorResponse(status: 404, message: "Conversation with id '\(id)' not found.")
    }
}
