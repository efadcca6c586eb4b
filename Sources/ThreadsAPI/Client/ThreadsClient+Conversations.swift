import Foundation
import JSON

/// OpenAI's Conversations API, and the calls that serve threads and conversations alike.
///
/// A conversation answers in the shape of a thread (`{"id","object":"conversation",
/// "created_at","metadata"}`, no `tool_resources`), so it decodes as a `ThreadObject` whose
/// `object` is `conversation`. `POST /conversations` and `POST /conversations/{id}/items`
/// create objects, so a lost answer is not retried blindly, as for `POST /threads`. Provider
/// profiles' `OpenAI-Beta` header belongs to the Assistants API: conversation calls go without it.
extension ThreadsClient {
    // MARK: Conversations

    /// `POST /conversations`: a new conversation with optional first items (at most 20, as
    /// the API allows) and metadata.
    public func createConversation(items: [JSONValue] = [], metadata: [String: String] = [:]) async throws
        -> APIResponse<ThreadObject>
    {
        try MetadataLimits.validate(metadata)
        guard items.count <= 20 else {
            throw APIError(kind: .invalidRequest, param: "items", message: "\(items.count) items; a conversation starts with at most 20")
        }
        let body = try encode(CreateConversationBody(items: items, metadata: metadata))
        return try await call("POST", "/conversations", body: body, as: ThreadObject.self)
    }

    /// `GET /conversations/{id}`; a 404 throws an `APIError` whose `isNotFound` is true.
    public func retrieveConversation(_ id: String, expectingLive: Bool = false) async throws -> APIResponse<ThreadObject> {
        try await retrieve(.conversation, id, expectingLive: expectingLive)
    }

    /// `POST /conversations/{id}` with `{"metadata":…}`: sets the conversation's whole metadata.
    public func updateConversation(_ id: String, metadata: [String: String]) async throws -> APIResponse<ThreadObject> {
        try await modify(.conversation, id, metadata: metadata)
    }

    /// `DELETE /conversations/{id}`: `.deleted`, or `.gone` when the API answers its not-found answer.
    public func deleteConversation(_ id: String, expectingLive: Bool = false) async throws -> APIResponse<DeleteOutcome> {
        try await delete(.conversation, id, expectingLive: expectingLive)
    }

    /// `GET /conversations/{id}/items` with `limit` (1–100), `order` and the `after` cursor.
    public func listConversationItems(
        _ id: String, limit: Int? = nil, order: ListOrder? = nil, after: String? = nil, expectingLive: Bool = false
    ) async throws -> APIResponse<ConversationItemList> {
        let id = try ThreadID.validate(id, kind: "conversation")
        let query = try Self.listQuery(limit: limit, order: order, after: after)
        return try await call(
            "GET", "/conversations/\(id)/items", query: query, as: ConversationItemList.self, notFoundCounts: expectingLive)
    }

    /// `POST /conversations/{id}/items` with `{"items":[…]}` (1 to 20): the items as created.
    public func createConversationItems(_ id: String, items: [JSONValue]) async throws -> APIResponse<ConversationItemList> {
        let id = try ThreadID.validate(id, kind: "conversation")
        guard (1...20).contains(items.count) else {
            throw APIError(kind: .invalidRequest, param: "items", message: "\(items.count) items; send 1 to 20 at a time")
        }
        return try await call(
            "POST", "/conversations/\(id)/items", body: try encode(ItemsBody(items: items)), as: ConversationItemList.self)
    }

    // MARK: Either kind

    /// `GET /threads/{id}` or `GET /conversations/{id}`.
    ///
    /// - Parameter expectingLive: the caller knows the object as live, so a 404 counts toward
    ///   the breaker's wrong-base-URL detection.
    public func retrieve(_ kind: APIObjectKind, _ id: String, expectingLive: Bool = false) async throws
        -> APIResponse<ThreadObject>
    {
        let id = try ThreadID.validate(id, kind: kind.rawValue)
        return try await call("GET", "\(kind.collection)/\(id)", as: ThreadObject.self, notFoundCounts: expectingLive)
    }

    /// `POST /threads/{id}` or `POST /conversations/{id}` with `{"metadata":…}`.
    public func modify(_ kind: APIObjectKind, _ id: String, metadata: [String: String]) async throws -> APIResponse<ThreadObject> {
        let id = try ThreadID.validate(id, kind: kind.rawValue)
        try MetadataLimits.validate(metadata)
        let body = try encode(ConversationMetadataBody(metadata: metadata))
        return try await call("POST", "\(kind.collection)/\(id)", body: body, as: ThreadObject.self)
    }

    /// `DELETE /threads/{id}` or `DELETE /conversations/{id}`: `.deleted` only when the answer
    /// says `"deleted": true` for the same id, `.gone` on the provider's not-found answer.
    public func delete(_ kind: APIObjectKind, _ id: String, expectingLive: Bool = false) async throws
        -> APIResponse<DeleteOutcome>
    {
        let id = try ThreadID.validate(id, kind: kind.rawValue)
        return try await delete("\(kind.collection)/\(id)", notFoundCounts: expectingLive)
    }

    /// The headers of a request to `path`.
    func headers(for path: String, hasBody: Bool) -> [(String, String)] {
        var headers = baseHeaders
        if path.hasPrefix(APIObjectKind.conversation.collection) {
            headers.removeAll { $0.0.lowercased() == "openai-beta" }
        }
        if hasBody { headers.append(("Content-Type", "application/json")) }
        return headers
    }
}

private struct CreateConversationBody: Encodable {
    var items: [JSONValue]
    var metadata: [String: String]
}

private struct ItemsBody: Encodable {
    var items: [JSONValue]
}

private struct ConversationMetadataBody: Encodable {
    var metadata: [String: String]
}
