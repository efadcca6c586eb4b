import Foundation
import JSON
import Synchronization

/// The typed client of the Threads API: every thread and message call, rate-limited,
/// retried and guarded by a breaker.
///
/// Calls may run concurrently from many tasks; they share the `RateLimiter` given at
/// initialization (one per process), the breaker and the retry policy. Each successful call
/// returns an `APIResponse` with the status, request id and attempt count; each failure
/// throws an `APIError` carrying the same. The key goes only into `Authorization: Bearer`,
/// and every string taken from an answer is redacted (`APIKey.serverText`).
public final class ThreadsClient: Sendable {
    public let configuration: APIConfiguration
    public let limiter: RateLimiter
    public let retryPolicy: RetryPolicy
    let resolved: ResolvedAPIConfiguration
    let key: APIKey
    let transport: any HTTPTransport
    let clock: any APIClock
    let breaker: Locked<Breaker>
    let random: Locked<any RandomNumberGenerator & Sendable>
    let counts = Locked(RequestCounts())
    let baseHeaders: [(String, String)]

    /// A client for `configuration`; throws an `APIError` of kind `.configuration` when it cannot be used.
    ///
    /// - Parameters:
    ///   - transport: the HTTP transport; nil means `HelperTransport` (URLSession in the `threadkeeper-http` helper).
    ///   - limiter: the process's limiter; nil makes one from the configuration.
    ///   - retryPolicy: nil means the configuration's attempts and deadline with the default backoff.
    ///   - random: the jitter source; tests pass a seeded generator for repeatable delays.
    public init(
        configuration: APIConfiguration, key: APIKey, transport: (any HTTPTransport)? = nil, limiter: RateLimiter? = nil,
        retryPolicy: RetryPolicy? = nil, breaker: Breaker.Settings = Breaker.Settings(),
        clock: any APIClock = SystemAPIClock(),
        random: some RandomNumberGenerator & Sendable = SystemRandomNumberGenerator()
    ) throws {
        resolved = try configuration.resolved()
        self.configuration = configuration
        self.key = key
        self.transport = transport ?? HelperTransport(maximumConnections: configuration.concurrency)
        self.clock = clock
        self.limiter = limiter ?? RateLimiter(configuration: configuration, clock: clock)
        self.retryPolicy =
            retryPolicy ?? RetryPolicy(maxAttempts: configuration.maxAttempts, deadline: configuration.retryDeadline)
        self.breaker = Locked(Breaker(settings: breaker))
        self.random = Locked(random)
        baseHeaders =
            [("Authorization", "Bearer \(key.value)"), ("User-Agent", configuration.userAgent), ("Accept", "application/json")]
            + resolved.headers
    }

    /// The base URL requests go to (`BaseURL` + `/threads…`).
    public var baseURL: String { resolved.baseURL }

    /// The breaker's state now.
    public var breakerState: Breaker.State { breaker.withLock { $0.state } }

    /// What this client has sent and been answered so far.
    public var requestCounts: RequestCounts { counts.withLock { $0 } }

    // MARK: Threads

    /// `POST /threads`: a new thread with optional first messages and metadata.
    public func createThread(messages: [NewMessage] = [], metadata: [String: String] = [:]) async throws -> APIResponse<ThreadObject> {
        try MetadataLimits.validate(metadata)
        for message in messages { try MetadataLimits.validate(message.metadata ?? [:]) }
        // AI/ML API's reference marks `messages` required: an empty list is sent rather than none.
        let body = try encode(CreateThreadBody(messages: messages, metadata: metadata))
        return try await call("POST", "/threads", body: body, as: ThreadObject.self)
    }

    /// `GET /threads/{id}`; a 404 throws an `APIError` whose `isNotFound` is true.
    ///
    /// - Parameter expectingLive: the caller knows the thread as live, so a 404 counts
    ///   toward the breaker's wrong-base-URL detection.
    public func retrieveThread(_ id: String, expectingLive: Bool = false) async throws -> APIResponse<ThreadObject> {
        let id = try ThreadID.validate(id)
        return try await call("GET", "/threads/\(id)", as: ThreadObject.self, notFoundCounts: expectingLive)
    }

    /// `POST /threads/{id}` with `{"metadata":…}`: sets the thread's whole metadata.
    public func modifyThread(_ id: String, metadata: [String: String]) async throws -> APIResponse<ThreadObject> {
        let id = try ThreadID.validate(id)
        try MetadataLimits.validate(metadata)
        let body = try encode(MetadataBody(metadata: metadata))
        return try await call("POST", "/threads/\(id)", body: body, as: ThreadObject.self)
    }

    /// `DELETE /threads/{id}`: `.deleted`, or `.gone` when the API answers 404.
    public func deleteThread(_ id: String, expectingLive: Bool = false) async throws -> APIResponse<DeleteOutcome> {
        let id = try ThreadID.validate(id)
        return try await delete("/threads/\(id)", notFoundCounts: expectingLive)
    }

    // MARK: Messages

    /// `POST /threads/{id}/messages`.
    public func createMessage(threadID: String, _ message: NewMessage) async throws -> APIResponse<MessageObject> {
        let threadID = try ThreadID.validate(threadID)
        try MetadataLimits.validate(message.metadata ?? [:])
        return try await call("POST", "/threads/\(threadID)/messages", body: try encode(message), as: MessageObject.self)
    }

    /// `GET /threads/{id}/messages` with `limit` (1–100), `order`, and the `after`/`before` cursors.
    public func listMessages(
        threadID: String, limit: Int? = nil, order: ListOrder? = nil, after: String? = nil, before: String? = nil,
        expectingLive: Bool = false
    ) async throws -> APIResponse<MessageList> {
        let threadID = try ThreadID.validate(threadID)
        let query = try Self.listQuery(limit: limit, order: order, after: after, before: before)
        return try await call(
            "GET", "/threads/\(threadID)/messages", query: query, as: MessageList.self, notFoundCounts: expectingLive)
    }

    /// The query of a list call (messages, conversation items): `limit` (1–100), `order`, cursors.
    static func listQuery(limit: Int?, order: ListOrder?, after: String?, before: String? = nil) throws -> [URLQueryItem] {
        var query: [URLQueryItem] = []
        if let limit {
            guard (1...100).contains(limit) else {
                throw APIError(kind: .invalidRequest, param: "limit", message: "limit '\(limit)' must be between 1 and 100")
            }
            query.append(URLQueryItem(name: "limit", value: String(limit)))
        }
        if let order { query.append(URLQueryItem(name: "order", value: order.rawValue)) }
        if let after { query.append(URLQueryItem(name: "after", value: try ThreadID.validate(after, kind: "cursor"))) }
        if let before { query.append(URLQueryItem(name: "before", value: try ThreadID.validate(before, kind: "cursor"))) }
        return query
    }

    /// `GET /threads/{id}/messages/{message}`.
    public func retrieveMessage(threadID: String, messageID: String) async throws -> APIResponse<MessageObject> {
        let path = try messagePath(threadID, messageID)
        return try await call("GET", path, as: MessageObject.self)
    }

    /// `POST /threads/{id}/messages/{message}` with `{"metadata":…}`.
    public func modifyMessage(threadID: String, messageID: String, metadata: [String: String]) async throws
        -> APIResponse<MessageObject>
    {
        let path = try messagePath(threadID, messageID)
        try MetadataLimits.validate(metadata)
        return try await call("POST", path, body: try encode(MetadataBody(metadata: metadata)), as: MessageObject.self)
    }

    /// `DELETE /threads/{id}/messages/{message}`: `.deleted`, or `.gone` on 404.
    public func deleteMessage(threadID: String, messageID: String) async throws -> APIResponse<DeleteOutcome> {
        try await delete(try messagePath(threadID, messageID), notFoundCounts: false)
    }

    /// The read-only probe: a GET of a well-formed id that cannot exist, which must come back
    /// as the provider's not-found answer before anything is changed.
    ///
    /// Returns when it does. Throws the `APIError` that tells the cause otherwise: 401 or 403
    /// (the key), `.notTheAPI` (`Invalid URL`, HTML: a wrong `BaseURL=`), 400 `invalid_beta` (a
    /// missing `OpenAI-Beta` header), a transport failure; and `.unconfirmed` when the probe id
    /// exists. The probe never counts toward the breaker's 404 detection.
    /// `kind` picks the collection probed: a conversation rule asks `/conversations`.
    public func probe(_ kind: APIObjectKind = .thread) async throws {
        if let error = try await probeReport(kind).error { throw error }
    }

    /// What the read-only probe found: the error `probe()` throws (nil when the provider gave its
    /// not-found answer) and the last answer's headers (rate limits, `Date`), for `doctor`.
    public struct ProbeReport: Sendable {
        public var error: APIError?
        /// The last answer's status, nil when none came.
        public var status: Int?
        /// The last answer's headers, names lower-cased.
        public var headers: [String: String]
    }

    /// Runs the read-only probe and reports its outcome instead of throwing it; throws only
    /// for cancellation.
    public func probeReport(_ kind: APIObjectKind = .thread) async throws -> ProbeReport {
        let id = kind.probeID
        let path = "\(kind.collection)/\(id)"
        let last = Locked<HTTPResponse?>(nil)
        let observe: @Sendable (HTTPResponse) -> Void = { response in last.withLock { $0 = response } }
        var failure: APIError?
        do {
            let answer = try await call("GET", path, as: JSONValue.self, observe: observe)
            failure = APIError(
                kind: .unconfirmed, status: answer.status,
                message: "the probe for '\(id)', a \(kind.rawValue) that cannot exist, was answered as if it existed: "
                    + "BaseURL= '\(baseURL)' is not an API that can be trusted to say what is gone",
                requestID: answer.requestID, attempts: answer.attempts, operation: "GET \(path)")
        } catch let error as APIError {
            failure = error.isNotFound ? nil : error
        }
        let response = last.withLock { $0 }
        return ProbeReport(error: failure, status: response?.status, headers: response?.headers ?? [:])
    }

    /// The newest message's `created_at`, or nil for a thread without messages.
    public func newestMessageTime(threadID: String, expectingLive: Bool = false) async throws -> APIResponse<Int64?> {
        let page = try await listMessages(threadID: threadID, limit: 1, order: .descending, expectingLive: expectingLive)
        return APIResponse(
            value: page.value.data.first?.createdAt, status: page.status, requestID: page.requestID, attempts: page.attempts)
    }

    // MARK: Plumbing

    private func messagePath(_ threadID: String, _ messageID: String) throws -> String {
        let threadID = try ThreadID.validate(threadID)
        let messageID = try ThreadID.validate(messageID, kind: "message")
        return "/threads/\(threadID)/messages/\(messageID)"
    }

    /// A 2xx answer counts only when it says `"deleted": true` for the same id: anything else
    /// throws `.unconfirmed` with the answer quoted, so nothing is recorded as deleted on hope.
    func delete(_ path: String, notFoundCounts: Bool) async throws -> APIResponse<DeleteOutcome> {
        do {
            let answer = try await send("DELETE", path, notFoundCounts: notFoundCounts)
            let operation = "DELETE \(path)"
            let status = try decode(DeletionStatus.self, answer, operation: operation)
            guard status.deleted, status.id == Self.objectIDs(path).last else {
                throw APIError(
                    kind: .unconfirmed, status: answer.response.status,
                    message: "the answer does not confirm the deletion: " + key.serverText(answer.response.body, limit: 300),
                    requestID: answer.requestID, attempts: answer.attempts, operation: operation)
            }
            return APIResponse(value: .deleted, status: answer.response.status, requestID: answer.requestID, attempts: answer.attempts)
        } catch let error as APIError where error.isNotFound {
            return APIResponse(value: .gone, status: 404, requestID: error.requestID, attempts: error.attempts)
        }
    }

    func call<Value: Decodable & Sendable>(
        _ method: String, _ path: String, query: [URLQueryItem] = [], body: Data? = nil, as type: Value.Type,
        notFoundCounts: Bool = false, observe: (@Sendable (HTTPResponse) -> Void)? = nil
    ) async throws -> APIResponse<Value> {
        let answer = try await send(method, path, query: query, body: body, notFoundCounts: notFoundCounts, observe: observe)
        let value = try decode(type, answer, operation: "\(method) \(path)")
        return APIResponse(
            value: value, status: answer.response.status, requestID: answer.requestID, attempts: answer.attempts,
            body: answer.response.body)
    }

    func encode(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }

    private func decode<Value: Decodable>(_ type: Value.Type, _ answer: Answer, operation: String) throws -> Value {
        do {
            return try JSONDecoder().decode(type, from: answer.response.body)
        } catch {
            throw APIError(
                kind: .malformedResponse, status: answer.response.status,
                // The coding path may hold a metadata key the server chose.
                message: "the answer is not a valid \(Value.self): \(key.serverText(Self.describe(decodingError: error), limit: 300))",
                requestID: answer.requestID, attempts: answer.attempts, operation: operation)
        }
    }

    static func describe(decodingError error: any Error) -> String {
        guard let error = error as? DecodingError else { return "not json" }
        switch error {
        case .keyNotFound(let key, _): return "field '\(key.stringValue)' is missing"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return "field '\(path)' has the wrong type"
        case .dataCorrupted: return "not json"
        @unknown default: return "not json"
        }
    }
}

private struct CreateThreadBody: Encodable {
    var messages: [NewMessage]
    var metadata: [String: String]
}

private struct MetadataBody: Encodable {
    var metadata: [String: String]
}
