import Foundation
import JSON

/// The final answer to one call, after retries.
struct Answer: Sendable {
    var response: HTTPResponse
    var requestID: String?
    var attempts: Int
}

extension ThreadsClient {
    /// Sends one call through the breaker, the limiter and the retry policy.
    ///
    /// Returns the 2xx answer; throws an `APIError` for anything else, after feeding the
    /// outcome to the breaker. `observe` sees every answer as it came (the read-only probe
    /// reads the provider's rate-limit and `Date` headers from it).
    ///
    /// `POST /threads` creates a thread each time it arrives, so when its answer is lost after
    /// it may have arrived it is not sent again (see `RetryPolicy`): the error says so.
    func send(
        _ method: String, _ path: String, query: [URLQueryItem] = [], body: Data? = nil, notFoundCounts: Bool,
        observe: (@Sendable (HTTPResponse) -> Void)? = nil
    ) async throws -> Answer {
        // A create (a thread, a conversation, a conversation's items) makes a new object each
        // time it arrives.
        let idempotent = !(method == "POST" && (path == "/threads" || path == "/conversations" || path.hasSuffix("/items")))
        let operation = "\(method) \(path)"
        let request = HTTPRequest(
            method: method, url: try url(path, query: query),
            headers: headers(for: path, hasBody: body != nil), body: body,
            timeout: configuration.timeout, maxResponseBytes: configuration.maxResponseBytes)
        let firstAttemptAt = clock.now()
        var attempts = 0
        var lastFailure: APIError?
        while true {
            let sentAt: Double
            do {
                sentAt = try await limiter.acquire(deadline: firstAttemptAt + retryPolicy.deadline)
            } catch let wait as RateLimitDeadline {
                var error = APIError(
                    kind: .deadlineExceeded,
                    message:
                        "not sent: the rate limit holds requests for another \(Int((wait.startsAt - clock.now()).rounded(.up))) s, past the call's deadline",
                    attempts: attempts, operation: operation)
                if let last = lastFailure {
                    error.status = last.status
                    error.requestID = last.requestID
                    error.message += "; last answer: \(last.message)"
                }
                throw error
            }
            // Checked after the wait for the limiter, so requests queued behind a flood of
            // failures fail fast as soon as the breaker opens.
            if let cause = breaker.withLock({ $0.check(now: clock.now()) }) {
                await limiter.release(nil)
                throw APIError(
                    kind: .breakerOpen(cause), message: "not sent, the breaker is open: \(cause)", attempts: attempts,
                    operation: operation)
            }
            attempts += 1
            let outcome: RetryPolicy.Outcome
            var response: HTTPResponse?
            var failure: TransportError?
            do {
                let answer = try await transport.send(request)
                observe?(answer)
                response = answer
                outcome = .status(answer.status)
                counts.withLock {
                    $0.byStatus[answer.status, default: 0] += 1
                    if answer.status == 429 { $0.rateLimited += 1 }
                }
                await limiter.release(RateFeedback(status: answer.status, sentAt: sentAt, headers: answer.headers))
            } catch {
                await limiter.release(RateFeedback(status: nil, sentAt: sentAt))
                if Task.isCancelled || error is CancellationError { throw CancellationError() }
                counts.withLock { $0.unanswered += 1 }
                let transportError = error as? TransportError ?? TransportError(.other, String(describing: type(of: error)))
                failure = transportError
                outcome = .transport(transportError.failure)
            }
            if let response, (200..<300).contains(response.status) {
                breaker.withLock { $0.record(.success, now: clock.now()) }
                return Answer(response: response, requestID: key.requestID(response.headers["x-request-id"]), attempts: attempts)
            }
            let retryAfter = response.flatMap { RateFeedback(status: $0.status, sentAt: sentAt, headers: $0.headers).retryAfter }
            let serverSays = RetryPolicy.serverAdvice(response?.headers["x-should-retry"])
            let now = clock.now()
            let decision = random.withLock { generator in
                retryPolicy.decide(
                    after: outcome, attempt: attempts, firstAttemptAt: firstAttemptAt, now: now, retryAfter: retryAfter,
                    serverSays: serverSays, idempotent: idempotent, using: &generator)
            }
            switch decision {
            case .retry(let delay):
                lastFailure = makeError(response: response, failure: failure, attempts: attempts, operation: operation, path: path)
                counts.withLock { $0.retries += 1 }
                try await clock.sleep(until: now + delay)
            case .stop(let reason):
                var error = makeError(response: response, failure: failure, attempts: attempts, operation: operation, path: path)
                if reason == .answerLost {
                    error.message +=
                        "; the request may have reached the server and created a thread whose id never came back: it was not sent again, so as not to create a second; look for the new thread by its metadata before creating it again"
                }
                // A 404 to a DELETE sent again after an unanswered try means the first try
                // deleted it: that says nothing about a wrong base URL.
                let retriedDelete = method == "DELETE" && attempts > 1
                let event = breakerEvent(for: error, reason: reason, notFoundCounts: notFoundCounts && !retriedDelete)
                let opened = breaker.withLock { breaker in
                    let wasOpen = breaker.openCause != nil
                    breaker.record(event, now: clock.now())
                    return !wasOpen && breaker.openCause != nil
                }
                if opened { counts.withLock { $0.breakerOpenings += 1 } }
                throw error
            }
        }
    }

    func url(_ path: String, query: [URLQueryItem]) throws -> URL {
        var text = resolved.baseURL + path
        if !query.isEmpty {
            var components = URLComponents()
            components.queryItems = query
            text += "?" + (components.percentEncodedQuery ?? "")
        }
        guard let url = URL(string: text) else {
            throw APIError(kind: .configuration, message: "cannot build a url from base url '\(resolved.baseURL)' and '\(path)'")
        }
        return url
    }

    private func breakerEvent(for error: APIError, reason: RetryPolicy.StopReason, notFoundCounts: Bool) -> Breaker.Event {
        if reason != .notRetryable { return .exhausted }
        if error.isNotFound { return .notFound(counts: notFoundCounts) }
        // Each such answer already stops its caller; counted as a 404 on a live thread, a flood
        // of them also opens the breaker for every other caller of this client.
        if error.kind == .notTheAPI { return .notFound(counts: true) }
        if error.isAuthentication, let status = error.status { return .authenticationFailure(status: status) }
        return .otherAnswer
    }

    /// The error for an answer that is not a success, or for no answer.
    ///
    /// Every string taken from the answer (the error fields, `x-request-id`, `Location`,
    /// `Retry-After`, a body that is not JSON) goes through the key's redaction before it is
    /// cut or kept: see `APIKey.serverText` and `APIKey.requestID`.
    ///
    /// `path` names the object the call was about: a 404 is the provider's not-found answer
    /// only for one of its ids (without a path, no 404 proves anything and it is `.notTheAPI`).
    func makeError(
        response: HTTPResponse?, failure: TransportError?, attempts: Int, operation: String, path: String = ""
    ) -> APIError {
        guard let response else {
            let failure = failure ?? TransportError(.other)
            return APIError(
                kind: .transport(failure.failure), message: key.redact(failure.description), attempts: attempts,
                operation: operation)
        }
        let requestID = key.requestID(response.headers["x-request-id"])
        if (300..<400).contains(response.status) {
            let location = response.headers["location"].map { "'\(key.serverText($0, limit: 200))'" } ?? "another address"
            return APIError(
                kind: .redirect, status: response.status,
                message:
                    "the server redirects to \(location); redirects are not followed so the key stays with the configured host: set BaseURL= to the final address",
                requestID: requestID, attempts: attempts, operation: operation)
        }
        var error = APIError(
            kind: .http, status: response.status, message: "http status \(response.status)", requestID: requestID,
            attempts: attempts, operation: operation)
        if let body = ErrorBody(response.body) {
            error.errorType = body.type.map { key.serverText($0, limit: 100) }
            error.code = body.code.map { key.serverText($0, limit: 100) }
            error.param = body.param.map { key.serverText($0, limit: 100) }
            if let message = body.message, !message.isEmpty { error.message = key.serverText(message, limit: 500) }
            if error.requestID == nil { error.requestID = key.requestID(body.requestID) }
        } else if !response.body.isEmpty {
            error.message = "http status \(response.status): " + key.serverText(response.body, limit: 200)
        }
        if response.status == 403, configuration.provider == .aimlapi {
            error.message +=
                " (AI/ML API answers 403 when the account is out of credits or the key may not use this endpoint, not for a wrong key: top up the balance or check the key's access)"
        }
        if response.status == 404, !configuration.provider.provesNotFound(status: 404, body: response.body, ids: Self.objectIDs(path)) {
            error.kind = .notTheAPI
            error.message =
                "the answer is not \(configuration.provider.rawValue)'s not-found answer (\(error.message)): BaseURL= '\(resolved.baseURL)' does not lead to the Threads API; check BaseURL= and Provider="
        }
        if response.status == 429, let retryAfter = response.headers["retry-after"] {
            error.message += " (retry after \(key.serverText(retryAfter, limit: 20))s)"
        }
        return error
    }

    /// The ids a call's path names: `/threads/ID` and `/threads/ID/messages/MSG`.
    static func objectIDs(_ path: String) -> [String] {
        path.split(separator: "/").filter { $0 != "threads" && $0 != "messages" && $0 != "conversations" && $0 != "items" }
            .map(String.init)
    }
}

/// The fields of an error answer, from whichever of the shapes providers use it came in.
///
/// - OpenAI's `{"error":{"message","type","param","code"}}`;
/// - AI/ML API's `{"message","path","requestId","statusCode","timestamp"}` (`message` may be a
///   list of strings, as NestJS writes validation errors);
/// - RFC 9457 `application/problem+json`: `{"type","title","status","detail"}`, where `type` is a
///   URI, so the title stands for the error type and `detail` (else the title) is the message.
struct ErrorBody {
    var message: String?
    var type: String?
    var param: String?
    var code: String?
    var requestID: String?

    init?(_ data: Data) {
        guard let top = try? JSONParser.parse(data), case .object = top else { return nil }
        if let error = top["error"], case .object = error {
            message = Self.text(error["message"])
            type = Self.text(error["type"])
            param = Self.text(error["param"])
            code = error["code"]?.scalarText
            requestID = Self.text(top["request_id"])
            return
        }
        if top["statusCode"] != nil || top["requestId"] != nil, top["message"] != nil {
            message = Self.text(top["message"])
            requestID = Self.text(top["requestId"])
            return
        }
        if top["title"] != nil || top["detail"] != nil, top["status"] != nil || top["type"] != nil {
            let title = Self.text(top["title"])
            message = Self.text(top["detail"]) ?? title
            type = title
            return
        }
        return nil
    }

    /// A string, or a list of strings joined with "; ".
    private static func text(_ value: JSONValue?) -> String? {
        switch value {
        case .string(let text)?: return text
        case .array(let items)?:
            let texts = items.compactMap { item -> String? in
                if case .string(let text) = item { return text }
                return nil
            }
            return texts.isEmpty ? nil : texts.joined(separator: "; ")
        default: return nil
        }
    }
}
