import Foundation
import Synchronization

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The default transport: URLSession (libcurl on Linux) with a delegate that refuses
/// redirects and stops reading an answer past its byte limit.
///
/// A redirect is returned to the client as the 3xx answer it is: following it could carry
/// the `Authorization` header to another host.
public final class URLSessionTransport: HTTPTransport {
    private let session: URLSession
    private let delegate: SessionDelegate

    /// A transport keeping up to `maximumConnections` connections per host alive.
    public init(maximumConnections: Int = 8) {
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
        var urlRequest = URLRequest(url: request.url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: request.timeout)
        urlRequest.httpMethod = request.method
        for (name, value) in request.headers { urlRequest.setValue(value, forHTTPHeaderField: name) }
        urlRequest.httpBody = request.body
        let task = session.dataTask(with: urlRequest)
        let delegate = self.delegate
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                delegate.register(task: task, limit: request.maxResponseBytes, continuation: continuation)
                task.resume()
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
    }

    private let pending = Mutex<[Int: Pending]>([:])

    func register(task: URLSessionTask, limit: Int, continuation: CheckedContinuation<HTTPResponse, any Error>) {
        pending.withLock { $0[task.taskIdentifier] = Pending(continuation: continuation, limit: limit) }
    }

    func urlSession(
        _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
    ) {
        pending.withLock { $0[dataTask.taskIdentifier]?.response = response as? HTTPURLResponse }
        completionHandler(.allow)
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
