/// A failed API call, with everything an operator needs to act on it and never the key.
///
/// `status`, `errorType`, `code` and `message` come from the server's
/// `{"error":{"message","type","param","code"}}` when it sent one; `requestID` from
/// `x-request-id`; `attempts` counts every try, retries included.
public struct APIError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, in the terms the caller branches on.
    public enum Kind: Sendable, Hashable {
        /// The server answered with an error status.
        case http
        /// No answer: timeout, reset, refused connection, DNS failure.
        case transport(TransportFailure)
        /// An id that may not be put into a URL; nothing was sent.
        case invalidID
        /// A request refused locally before sending (metadata over the limits, bad cursor).
        case invalidRequest
        /// The configuration cannot be used (bad base URL, plain HTTP to a remote host, bad header).
        case configuration
        /// The answer had a success status but a body that does not decode.
        case malformedResponse
        /// The server answered with a redirect, which is never followed with the key.
        case redirect
        /// The breaker is open; nothing was sent.
        case breakerOpen(BreakerCause)
        /// The rate limiter (the server's `Retry-After` or an exhausted budget) would hold the
        /// request past the call's deadline; it was not sent again.
        case deadlineExceeded
        /// A 404 that is not the provider's not-found answer for the object (`Invalid URL`,
        /// HTML, an empty body): the base URL does not lead to the Threads API.
        case notTheAPI
        /// A 2xx answer that does not confirm the change asked for (`"deleted": false`, another
        /// id, metadata other than the intended): nothing may be recorded as done.
        case unconfirmed
    }

    public var kind: Kind
    /// The HTTP status of the last answer, when there was one.
    public var status: Int?
    /// OpenAI's `error.type`, e.g. `invalid_request_error`.
    public var errorType: String?
    /// OpenAI's `error.code`, e.g. `object_above_max_properties`.
    public var code: String?
    /// OpenAI's `error.param`.
    public var param: String?
    public var message: String
    /// `x-request-id` of the last answer.
    public var requestID: String?
    /// How many times the request was sent (0 when refused locally).
    public var attempts: Int
    /// `DELETE /threads/thread_…`: the call, without the base URL.
    public var operation: String?

    public init(
        kind: Kind, status: Int? = nil, errorType: String? = nil, code: String? = nil, param: String? = nil,
        message: String, requestID: String? = nil, attempts: Int = 0, operation: String? = nil
    ) {
        self.kind = kind
        self.status = status
        self.errorType = errorType
        self.code = code
        self.param = param
        self.message = message
        self.requestID = requestID
        self.attempts = attempts
        self.operation = operation
    }

    /// Whether the server said, in the provider's own words, that the object does not exist.
    ///
    /// Only such an answer gets kind `.http` with status 404; any other 404 is `.notTheAPI`.
    public var isNotFound: Bool { kind == .http && status == 404 }

    /// Whether the key was refused (401) or lacks permission (403).
    public var isAuthentication: Bool { kind == .http && (status == 401 || status == 403) }

    /// Whether the API as a whole is unusable now (breaker open, bad key): a CLI exits 69 for these.
    public var isUnavailable: Bool {
        switch kind {
        case .breakerOpen: return true
        case .http: return status == 401 || status == 403
        case .transport, .deadlineExceeded, .notTheAPI: return true
        default: return false
        }
    }

    /// One line: what failed, the server's words, and the request id to quote to the provider.
    public var description: String {
        var parts: [String] = []
        if let operation { parts.append(operation + ":") }
        if let status { parts.append(String(status)) }
        if let label = errorType ?? code { parts.append(label + ":") } else if status != nil { parts[parts.count - 1] += ":" }
        parts.append(message)
        var details: [String] = []
        if let code, errorType != nil { details.append("code \(code)") }
        if let requestID { details.append("request \(requestID)") }
        if attempts > 0 { details.append(attempts == 1 ? "1 attempt" : "\(attempts) attempts") }
        var text = parts.joined(separator: " ")
        if !details.isEmpty { text += " (" + details.joined(separator: ", ") + ")" }
        return text
    }
}

/// Why a request got no answer.
public enum TransportFailure: String, Sendable, Hashable {
    case timedOut = "timed out"
    case connectionReset = "connection reset"
    case cannotConnect = "cannot connect"
    case responseTooLarge = "response too large"
    case other = "transport error"

    /// Whether trying again may help.
    public var isRetryable: Bool {
        switch self {
        case .timedOut, .connectionReset, .cannotConnect: return true
        case .responseTooLarge, .other: return false
        }
    }
}
