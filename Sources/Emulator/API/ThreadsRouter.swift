import JSON

/// The Threads API as a pure function from a request and the store to a response.
///
/// Serves `/threads…` (AI/ML API) and `/v1/threads…` (OpenAI) alike, or only one of them with
/// the provider's demands and error shape when a `flavor` is set. Time comes in as `now`
/// (Unix seconds); new ids come from the store's seeded generator. No I/O happens here.
public struct ThreadsRouter: Sendable {
    /// The provider played (`--flavor`).
    public var flavor: EmulatorFlavor = .any
    /// When set, every request must carry `Authorization: Bearer <apiKey>`.
    public var apiKey: String?
    public var limits: HTTPLimits
    /// Modify merges metadata instead of replacing it (see `EmulatorFaults.mergesMetadata`).
    public var mergesMetadata = false
    /// Delete answers `"deleted": false` and keeps the thread (see `EmulatorFaults.refusesDeletes`).
    public var refusesDeletes = false
    /// Every thread call with the right key answers 403 (see `EmulatorFaults.forbidsAccess`).
    public var forbidsAccess = false

    public init(apiKey: String? = nil, limits: HTTPLimits = HTTPLimits()) {
        self.apiKey = apiKey
        self.limits = limits
    }

    /// The route a path names, with the ids it carries.
    enum Route: Equatable {
        case threads
        case thread(String)
        case messages(String)
        case message(String, String)
        case conversations
        case conversation(String)
        case conversationItems(String)

        var allowedMethods: [String] {
            switch self {
            case .threads, .conversations: return ["POST"]
            case .thread, .conversation: return ["GET", "POST", "DELETE"]
            case .messages, .conversationItems: return ["GET", "POST"]
            case .message: return ["GET", "POST", "DELETE"]
            }
        }

        /// A route of the Conversations API, which needs no `OpenAI-Beta` header.
        var isConversation: Bool {
            switch self {
            case .conversations, .conversation, .conversationItems: return true
            case .threads, .thread, .messages, .message: return false
            }
        }
    }

    static func route(_ path: Substring, flavor: EmulatorFlavor = .any) -> Route? {
        // Byte-wise over the UTF-8 view; Character-wise matching is a visible cost per request.
        var rest = path.utf8[...]
        if rest.starts(with: "/v1/".utf8) {
            guard flavor != .aimlapi else { return nil }
            rest = rest.dropFirst(3)
        } else if flavor == .openai {
            return nil
        }
        if rest.starts(with: "/conversations".utf8) {
            // AI/ML API documents no Conversations API: its flavor answers Invalid URL there.
            guard flavor != .aimlapi else { return nil }
            return conversationRoute(rest.dropFirst(14))
        }
        guard rest.starts(with: "/threads".utf8) else { return nil }
        rest = rest.dropFirst(8)
        if rest.isEmpty { return .threads }
        guard rest.first == UInt8(ascii: "/") else { return nil }
        rest = rest.dropFirst()
        let threadEnd = rest.firstIndex(of: UInt8(ascii: "/")) ?? rest.endIndex
        guard threadEnd > rest.startIndex else { return nil }
        let threadID = String(Substring(rest[..<threadEnd]))
        if threadEnd == rest.endIndex { return .thread(threadID) }
        rest = rest[rest.index(after: threadEnd)...]
        guard rest.starts(with: "messages".utf8) else { return nil }
        rest = rest.dropFirst(8)
        if rest.isEmpty { return .messages(threadID) }
        guard rest.first == UInt8(ascii: "/") else { return nil }
        let messageID = rest.dropFirst()
        guard !messageID.isEmpty, !messageID.contains(UInt8(ascii: "/")) else { return nil }
        return .message(threadID, String(Substring(messageID)))
    }

    /// Whether the request carries the configured key (always true without one).
    public func authorizationError(_ request: EmulatorRequest) -> APIErrorResponse? {
        guard let apiKey else { return nil }
        guard let header = request.header("authorization"), !header.isEmpty else { return .missingKey }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer", !parts[1].isEmpty else { return .missingKey }
        return Self.constantTimeEquals(Array(parts[1].utf8), Array(apiKey.utf8)) ? nil : .wrongKey
    }

    private static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }

    /// Answers one request, changing the store as the request asks; `requestID` is the
    /// `x-request-id` the answer will carry, which AI/ML API's error bodies repeat.
    public func respond(to request: EmulatorRequest, store: inout ThreadStore, now: Int64, requestID: String = "") -> EmulatorResponse {
        do {
            return try handle(request, store: &store, now: now)
        } catch {
            return flavor.response(error, path: request.path, requestID: requestID, now: now)
        }
    }

    private func handle(_ request: EmulatorRequest, store: inout ThreadStore, now: Int64) throws(APIErrorResponse) -> EmulatorResponse {
        let path = request.path
        guard let route = Self.route(path, flavor: flavor) else { throw APIErrorResponse.invalidURL(request.method, path) }
        let method = request.method == "HEAD" ? "GET" : request.method
        guard route.allowedMethods.contains(method) else {
            throw APIErrorResponse.methodNotAllowed(request.method, path, allowed: route.allowedMethods)
        }
        if let error = authorizationError(request) { throw error }
        if forbidsAccess { throw APIErrorResponse.forbidden }
        if flavor.requiresBetaHeader, !route.isConversation, !(request.header("openai-beta")?.contains("assistants=v2") ?? false) {
            throw APIErrorResponse.invalidBeta
        }
        if request.body.count > limits.maxBodyBytes { throw APIErrorResponse.bodyTooLarge(limit: limits.maxBodyBytes) }
        switch (route, method) {
        case (.conversations, _), (.conversation, _), (.conversationItems, _):
            return try handleConversation(route, method: method, request, store: &store, now: now)
        case (.threads, _):
            return try createThread(request, store: &store, now: now)
        case (.thread(let id), "GET"):
            guard let thread = store.thread(id) else { throw APIErrorResponse.noThread(id) }
            return .json(200, thread.json)
        case (.thread(let id), "POST"):
            return try modifyThread(id, request, store: &store)
        case (.thread(let id), _):
            if refusesDeletes {
                guard store.thread(id) != nil else { throw APIErrorResponse.noThread(id) }
                return .json(200, Self.deletedBody(id, object: "thread.deleted", deleted: false))
            }
            guard store.delete(id) else { throw APIErrorResponse.noThread(id) }
            return .json(200, Self.deletedBody(id, object: "thread.deleted"))
        case (.messages(let id), "GET"):
            return try listMessages(id, request, store: &store, now: now)
        case (.messages(let id), _):
            return try createMessage(id, request, store: &store, now: now)
        case (.message(let threadID, let messageID), "GET"):
            guard let messages = store.messages(of: threadID, now: now) else { throw APIErrorResponse.noThread(threadID) }
            guard let message = messages.first(where: { $0.id == messageID }) else { throw APIErrorResponse.noMessage(messageID) }
            return .json(200, Self.messageBody(message, threadID: threadID))
        case (.message(let threadID, let messageID), "POST"):
            return try modifyMessage(threadID, messageID, request, store: &store, now: now)
        case (.message(let threadID, let messageID), _):
            let removed = store.updateMessages(of: threadID, now: now) { messages -> Bool in
                guard let position = messages.firstIndex(where: { $0.id == messageID }) else { return false }
                messages.remove(at: position)
                return true
            }
            guard let removed else { throw APIErrorResponse.noThread(threadID) }
            guard removed else { throw APIErrorResponse.noMessage(messageID) }
            return .json(200, Self.deletedBody(messageID, object: "thread.message.deleted"))
        }
    }

    private func createThread(_ request: EmulatorRequest, store: inout ThreadStore, now: Int64) throws(APIErrorResponse) -> EmulatorResponse
    {
        let members = try RequestValidation.object(request.body)
        try RequestValidation.checkKnown(members, allowed: ["messages", "metadata", "tool_resources"])
        let body = JSONValue.object(members)
        let metadata = try body["metadata"].map { value throws(APIErrorResponse) in
            try RequestValidation.metadata(value, param: "metadata")
        }
        let toolResources = try body["tool_resources"].flatMap { value throws(APIErrorResponse) in
            try RequestValidation.toolResources(value, param: "tool_resources")
        }
        var messages: [StoredMessage] = []
        if let value = body["messages"] {
            switch value {
            case .null: break
            case .array(let items):
                for (index, item) in items.enumerated() {
                    let prefix = "messages[\(index)]."
                    guard case .object(let fields) = item else {
                        throw APIErrorResponse.invalidType("messages[\(index)]", expected: "an object", got: item)
                    }
                    messages.append(
                        try RequestValidation.message(fields, prefix: prefix, id: store.newMessageID(), createdAt: now))
                }
            default:
                throw APIErrorResponse.invalidType("messages", expected: "an array", got: value)
            }
        }
        let thread = StoredThread(
            id: store.newThreadID(), createdAt: now, metadata: metadata ?? [], toolResources: toolResources,
            messages: .stored(messages))
        store.insert(thread)
        return .json(200, thread.json)
    }

    private func modifyThread(_ id: String, _ request: EmulatorRequest, store: inout ThreadStore) throws(APIErrorResponse)
        -> EmulatorResponse
    {
        guard store.isLive(id) else { throw APIErrorResponse.noThread(id) }
        let members = try RequestValidation.object(request.body)
        try RequestValidation.checkKnown(members, allowed: ["metadata", "tool_resources"])
        let body = JSONValue.object(members)
        let metadata = try body["metadata"].map { value throws(APIErrorResponse) in
            try RequestValidation.metadata(value, param: "metadata")
        }
        var toolResources: JSONValue?? = nil
        if let value = body["tool_resources"] { toolResources = .some(try RequestValidation.toolResources(value, param: "tool_resources")) }
        let merges = mergesMetadata
        let updated = store.update(id) { thread -> StoredThread in
            if let metadata { thread.metadata = merges ? Self.merged(thread.metadata, metadata) : metadata }
            if let toolResources { thread.toolResources = toolResources }
            return thread
        }
        guard let updated else { throw APIErrorResponse.noThread(id) }
        return .json(200, updated.json)
    }

    private func createMessage(
        _ threadID: String, _ request: EmulatorRequest, store: inout ThreadStore, now: Int64
    ) throws(APIErrorResponse) -> EmulatorResponse {
        guard store.isLive(threadID) else { throw APIErrorResponse.noThread(threadID) }
        let members = try RequestValidation.object(request.body)
        let message = try RequestValidation.message(members, prefix: "", id: store.newMessageID(), createdAt: now)
        _ = store.updateMessages(of: threadID, now: now) { $0.append(message) }
        return .json(200, Self.messageBody(message, threadID: threadID))
    }

    private func modifyMessage(
        _ threadID: String, _ messageID: String, _ request: EmulatorRequest, store: inout ThreadStore, now: Int64
    ) throws(APIErrorResponse) -> EmulatorResponse {
        guard store.isLive(threadID) else { throw APIErrorResponse.noThread(threadID) }
        let members = try RequestValidation.object(request.body)
        try RequestValidation.checkKnown(members, allowed: ["metadata"])
        let metadata = try JSONValue.object(members)["metadata"].map { value throws(APIErrorResponse) in
            try RequestValidation.metadata(value, param: "metadata")
        }
        let updated = store.updateMessages(of: threadID, now: now) { messages -> StoredMessage? in
            guard let position = messages.firstIndex(where: { $0.id == messageID }) else { return nil }
            if let metadata { messages[position].metadata = metadata }
            return messages[position]
        }
        guard let updated else { throw APIErrorResponse.noThread(threadID) }
        guard let message = updated else { throw APIErrorResponse.noMessage(messageID) }
        return .json(200, Self.messageBody(message, threadID: threadID))
    }

    private func listMessages(
        _ threadID: String, _ request: EmulatorRequest, store: inout ThreadStore, now: Int64
    ) throws(APIErrorResponse) -> EmulatorResponse {
        let (limit, ascending, after, before) = try Self.listQuery(request)
        guard let messages = store.messages(of: threadID, now: now) else { throw APIErrorResponse.noThread(threadID) }
        let ordered = ascending ? messages : messages.reversed()
        var lower = 0
        var upper = ordered.count
        if let after {
            lower = ordered.firstIndex(where: { $0.id == after }).map { $0 + 1 } ?? ordered.count
        }
        if let before {
            upper = ordered.firstIndex(where: { $0.id == before }) ?? 0
        }
        var page: ArraySlice<StoredMessage> = []
        var hasMore = false
        if lower < upper {
            if before != nil && after == nil {
                // Paging backwards: the items nearest the cursor, still in the requested order.
                let start = max(lower, upper - limit)
                page = ordered[start..<upper]
                hasMore = start > lower
            } else {
                let end = min(upper, lower + limit)
                page = ordered[lower..<end]
                hasMore = end < upper
            }
        }
        var writer = JSONWriter(capacity: 256 + 400 * page.count)
        writer.raw("{\"object\":\"list\",\"data\":[")
        for (index, message) in page.enumerated() {
            if index > 0 { writer.raw(",") }
            message.writeJSON(threadID: threadID, into: &writer)
        }
        writer.raw("],\"first_id\":")
        if let first = page.first { writer.string(first.id) } else { writer.raw("null") }
        writer.raw(",\"last_id\":")
        if let last = page.last { writer.string(last.id) } else { writer.raw("null") }
        writer.raw(",\"has_more\":")
        writer.bool(hasMore)
        writer.raw("}")
        return .json(200, writer.bytes)
    }

    /// A list's `limit` (1–100, default 20), `order` (default desc) and cursors, checked as OpenAI checks them.
    static func listQuery(_ request: EmulatorRequest) throws(APIErrorResponse) -> (
        limit: Int, ascending: Bool, after: String?, before: String?
    ) {
        var limit = 20
        var ascending = false
        var after: String?
        var before: String?
        for (name, value) in request.queryItems {
            switch name {
            case "limit":
                guard let number = Int(value) else {
                    throw APIErrorResponse(
                        status: 400, message: "Invalid 'limit': expected an integer, but got '\(value)' instead.", param: "limit",
                        code: "invalid_type")
                }
                if number < 1 {
                    throw APIErrorResponse(
                        status: 400,
                        message: "Invalid 'limit': integer below minimum value. Expected a value >= 1, but got \(number) instead.",
                        param: "limit", code: "integer_below_min_value")
                }
                if number > 100 {
                    throw APIErrorResponse(
                        status: 400,
                        message: "Invalid 'limit': integer above maximum value. Expected a value <= 100, but got \(number) instead.",
                        param: "limit", code: "integer_above_max_value")
                }
                limit = number
            case "order":
                guard value == "asc" || value == "desc" else {
                    throw APIErrorResponse(
                        status: 400, message: "Invalid value: '\(value)'. Supported values are: 'asc' and 'desc'.", param: "order",
                        code: "invalid_value")
                }
                ascending = value == "asc"
            case "after": after = value
            case "before": before = value
            default: break
            }
        }
        return (limit, ascending, after, before)
    }

    static func messageBody(_ message: StoredMessage, threadID: String) -> [UInt8] {
        var writer = JSONWriter(capacity: 400)
        message.writeJSON(threadID: threadID, into: &writer)
        return writer.bytes
    }

    /// `old` with every pair of `new` set: what a provider that merges keeps after a modify.
    static func merged(_ old: [(String, String)], _ new: [(String, String)]) -> [(String, String)] {
        var result = old
        for (key, value) in new {
            if let index = result.firstIndex(where: { $0.0 == key }) { result[index].1 = value } else { result.append((key, value)) }
        }
        return result
    }

    static func deletedBody(_ id: String, object: StaticString, deleted: Bool = true) -> [UInt8] {
        var writer = JSONWriter(capacity: 96)
        writer.raw("{\"id\":")
        writer.string(id)
        writer.raw(",\"object\":\"")
        writer.raw(object)
        writer.raw(deleted ? "\",\"deleted\":true}" : "\",\"deleted\":false}")
        return writer.bytes
    }
}
