import JSON

/// An error answered in OpenAI's shape: `{"error":{"message","type","param","code"}}`.
public struct APIErrorResponse: Error, Sendable, Equatable {
    public var status: Int
    public var message: String
    public var type: String
    public var param: String?
    public var code: String?
    public var extraHeaders: [(name: String, value: String)] = []

    public init(
        status: Int, message: String, type: String = "invalid_request_error", param: String? = nil, code: String? = nil
    ) {
        self.status = status
        self.message = message
        self.type = type
        self.param = param
        self.code = code
    }

    public static func == (lhs: APIErrorResponse, rhs: APIErrorResponse) -> Bool {
        lhs.status == rhs.status && lhs.message == rhs.message && lhs.type == rhs.type && lhs.param == rhs.param
            && lhs.code == rhs.code
    }

    public var body: [UInt8] {
        var writer = JSONWriter(capacity: 200)
        writer.raw("{\"error\":{\"message\":")
        writer.string(message)
        writer.raw(",\"type\":")
        writer.string(type)
        writer.raw(",\"param\":")
        if let param { writer.string(param) } else { writer.raw("null") }
        writer.raw(",\"code\":")
        if let code { writer.string(code) } else { writer.raw("null") }
        writer.raw("}}")
        return writer.bytes
    }

    public var response: HTTPResponse {
        .json(status, body, headers: extraHeaders)
    }

    static func noThread(_ id: String) -> APIErrorResponse {
        APIErrorResponse(status: 404, message: "No thread found with id '\(id)'.")
    }

    static func noMessage(_ id: String) -> APIErrorResponse {
        APIErrorResponse(status: 404, message: "No message found with id '\(id)'.")
    }

    static func invalidURL(_ method: String, _ path: Substring) -> APIErrorResponse {
        APIErrorResponse(status: 404, message: "Invalid URL (\(method) \(path))")
    }

    /// OpenAI's answer to an Assistants call without `OpenAI-Beta: assistants=v2`.
    static let invalidBeta = APIErrorResponse(
        status: 400,
        message: "You must provide the 'OpenAI-Beta' header to access the Assistants API. "
            + "Please try again by setting the header 'OpenAI-Beta: assistants=v2'.",
        code: "invalid_beta")

    /// The emulator's own words for a key it knows but will not serve (`--forbid`).
    static let forbidden = APIErrorResponse(
        status: 403, message: "This key may not use this endpoint: the account is out of credits or lacks access.",
        type: "permission_error", code: "forbidden")

    static func methodNotAllowed(_ method: String, _ path: Substring, allowed: [String]) -> APIErrorResponse {
        var error = APIErrorResponse(
            status: 405, message: "Invalid method for URL (\(method) \(path)); allowed: \(allowed.joined(separator: ", ")).")
        error.extraHeaders = [("allow", allowed.joined(separator: ", "))]
        return error
    }

    static let invalidJSON = APIErrorResponse(
        status: 400,
        message: "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library "
            + "correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble figuring "
            + "out how to fix this, please contact us through our help center at help.openai.com.)")

    static func invalidType(_ param: String, expected: String, got value: JSONValue) -> APIErrorResponse {
        APIErrorResponse(
            status: 400, message: "Invalid type for '\(param)': expected \(expected), but got \(value.typeDescription) instead.",
            param: param, code: "invalid_type")
    }

    static func unknownParameter(_ name: String) -> APIErrorResponse {
        APIErrorResponse(status: 400, message: "Unrecognized request argument supplied: \(name)", param: name, code: "unknown_parameter")
    }

    static func missing(_ param: String) -> APIErrorResponse {
        APIErrorResponse(
            status: 400, message: "Missing required parameter: '\(param)'.", param: param, code: "missing_required_parameter")
    }

    static let missingKey = APIErrorResponse(
        status: 401,
        message: "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth "
            + "(i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API "
            + "from your browser and are prompted for a username and password. You can obtain an API key from "
            + "https://platform.openai.com/account/api-keys.")

    /// OpenAI echoes a masked form of the wrong key; the emulator echoes none of it, so no key reaches a client log.
    static let wrongKey = APIErrorResponse(
        status: 401,
        message: "Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.",
        code: "invalid_api_key")

    static func rateLimited(retryAfter: Int) -> APIErrorResponse {
        var error = APIErrorResponse(
            status: 429, message: "Rate limit reached for requests. Please try again in \(retryAfter)s.", type: "requests",
            code: "rate_limit_exceeded")
        error.extraHeaders = [("retry-after", String(retryAfter))]
        return error
    }

    static func serverFault(_ status: Int) -> APIErrorResponse {
        switch status {
        case 502: return APIErrorResponse(status: 502, message: "Bad gateway.", type: "server_error")
        case 503:
            return APIErrorResponse(
                status: 503, message: "The server is overloaded or not ready yet.", type: "server_error")
        default:
            return APIErrorResponse(
                status: 500, message: "The server had an error while processing your request. Sorry about that!", type: "server_error")
        }
    }

    static func bodyTooLarge(limit: Int) -> APIErrorResponse {
        APIErrorResponse(status: 413, message: "Request body too large; the limit is \(limit) bytes.", code: "request_too_large")
    }
}
