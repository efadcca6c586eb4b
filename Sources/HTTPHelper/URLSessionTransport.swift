import Foundation
import ThreadsAPI

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// URLSession (libcurl on Linux) with a delegate that refuses redirects and stops reading an
/// answer past its byte limit: what the `threadkeeper-http` helper sends requests with.
///
/// A redirect is returned to the client as the 3xx answer it is: following it could carry
/// the `Authorization` header to another host.
public final class URLSessionTransport: HTTPTransport {
    private let session: URLSession
    private let delegate: SessionDelegate
    private let reuseConnections: Bool

    /// A transport with up to `maximumConnections` connections per host.
    ///
    /// - Parameter reuseConnections: keep connections alive between requests. Off by default:
    ///   libcurl silently re-sends a request whose reused connection closed without an answer,
    ///   and such a hidden retry escapes the rate limiter and the attempt count (and may repeat
    ///   a POST). With `Connection: close` every try is one request the client knows of.
    public init(maximumConnections: Int = 8, reuseConnections: Bool = false) {
        self.reuseConnections = reuseConnections
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = max(1, maximumConnections)
        configuration.httpShouldSetCookies = false
        configuration.httpCookieAcceptPolicy = .never
        configuration.urlCache = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        delegate = SessionDelegate()
        session = URLSession(configuration: configuration, delegate: delegate, delegateQueue: nil)
    }

    deinit {
        session.invalidateAndCancel()
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        var urlRequest = URLRequest(
            url: request.url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: max(1, request.timeout.rounded(.up)))
        urlRequest.httpMethod = request.method
        for (name, value) in request.headers { urlRequest.setValue(value, forHTTPHeaderField: name) }
        if !reuseConnections { urlRequest.setValue("close", forHTTPHeaderField: "Connection") }
        urlRequest.httpBody = request.body
        let task = session.dataTask(with: urlRequest)
        let delegate = self.delegate
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                delegate.register(task: task, limit: request.maxResponseBytes, continuation: continuation)
                task.resume()
                // URLSession on Linux hands libcurl whole seconds (0.5 s becomes "no timeout"),
                // so the deadline of the attempt is enforced here. The task is held weakly: a
                // strong hold kept every finished task, its request and answer, for the whole
                // timeout (at 500 requests a second the helper's peak was 74 MiB, now 42 MiB;
                // `scripts/bench run`).
                DispatchQueue.global().asyncAfter(deadline: .now() + request.timeout) { [weak task] in
                    guard let task else { return }
                    if delegate.expire(task: task) { task.cancel() }
                }
            }
        } onCancel: {
            task.cancel()
        }
    }
}

/// Collects each task's answer; every callback touches only the entry of its own task.
private final class SessionDelegate: NSObject, URLSessionDataDelegate, Sendable {
    private struct Pending {
        var continuation: CheckedContinuation<HTTPResponse, any Error>
        var limit: Int
        var response: HTTPURLResponse?
        var body = Data()
        var tooLarge = false
        var timedOut = false
    }

    private let pending = Locked<[Int: Pending]>([:])

    func register(task: URLSessionTask, limit: Int, continuation: CheckedContinuation<HTTPResponse, any Error>) {
        pending.withLock { $0[task.taskIdentifier] = Pending(continuation: continuation, limit: limit) }
    }

    /// Marks a task still running as timed out; false when it has already finished.
    func expire(task: URLSessionTask) -> Bool {
        pending.withLock { entries in
            guard entries[task.taskIdentifier] != nil else { return false }
            entries[task.taskIdentifier]?.timedOut = true
            return true
        }
    }

    func urlSession(
        _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
    ) {
        // An answer that announces more than the limit is refused before its body is read.
        let refused = pending.withLock { entries -> Bool in
            guard var entry = entries[dataTask.taskIdentifier] else { return false }
            entry.response = response as? HTTPURLResponse
            if response.expectedContentLength > Int64(entry.limit) { entry.tooLarge = true }
            entries[dataTask.taskIdentifier] = entry
            return entry.tooLarge
        }
        completionHandler(.allow)
        if refused { dataTask.cancel() }
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        let overLimit = pending.withLock { entries -> Bool in
            guard var entry = entries[dataTask.taskIdentifier] else { return false }
            if entry.body.count + data.count > entry.limit {
                entry.tooLarge = true
                entries[dataTask.taskIdentifier] = entry
                return true
            }
            entry.body.append(data)
            entries[dataTask.taskIdentifier] = entry
            return false
        }
        if overLimit { dataTask.cancel() }
    }

    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void
    ) {
        // Never follow: the 3xx itself becomes the answer, and the key stays with the configured host.
        completionHandler(nil)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        guard let entry = pending.withLock({ $0.removeValue(forKey: task.taskIdentifier) }) else { return }
        if entry.timedOut {
            entry.continuation.resume(throwing: TransportError(.timedOut, "no answer within the timeout"))
            return
        }
        if entry.tooLarge {
            entry.continuation.resume(
                throwing: TransportError(.responseTooLarge, "the answer is larger than \(entry.limit) bytes"))
            return
        }
        if let error {
            entry.continuation.resume(throwing: Self.transportError(error))
            return
        }
        guard let response = entry.response ?? task.response as? HTTPURLResponse else {
            entry.continuation.resume(throwing: TransportError(.connectionReset, "no http answer"))
            return
        }
        var headers: [String: String] = [:]
        for (name, value) in response.allHeaderFields {
            if let name = name as? String, let value = value as? String { headers[name.lowercased()] = value }
        }
        entry.continuation.resume(returning: HTTPResponse(status: response.statusCode, headers: headers, body: entry.body))
    }

    static func transportError(_ error: any Error) -> TransportError {
        guard let urlError = error as? URLError else {
            return TransportError(.other, String(describing: type(of: error)))
        }
        switch urlError.code {
        case .timedOut:
            return TransportError(.timedOut, "no answer within the timeout")
        case .networkConnectionLost, .badServerResponse, .cannotParseResponse, .zeroByteResource,
            .secureConnectionFailed:
            return TransportError(.connectionReset, "the connection closed before an answer (url error \(urlError.code.rawValue))")
        case .cannotConnectToHost, .cannotFindHost, .dnsLookupFailed, .notConnectedToInternet:
            return TransportError(.cannotConnect, "cannot connect (url error \(urlError.code.rawValue))")
        case .cancelled:
            return TransportError(.other, "cancelled")
        default:
            return TransportError(.other, "url error \(urlError.code.rawValue)")
        }
    }
}
