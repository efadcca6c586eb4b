import Glibc
import JSON

/// Which provider the emulator plays (`--flavor`): where it serves threads, what it demands,
/// and the shape of its errors.
///
/// - `openai`: OpenAI's Assistants v2 under `/v1/threads…`; every thread call must carry
///   `OpenAI-Beta: assistants=v2` (else 400 `invalid_beta`, as OpenAI answered), errors in
///   `{"error":{"message","type","param","code"}}`.
/// - `aimlapi`: AI/ML API at the root, `/threads…`, no beta header, errors in its own shape
///   `{"message","path","requestId","statusCode","timestamp"}`. Its documentation does not say
///   what it answers for an unknown thread; the emulator uses OpenAI's sentence in that shape,
///   the only form threadkeeper accepts as proof (see `APIProvider.provesNotFound`).
/// - `any` (the default): both prefixes, no beta header, OpenAI's errors, as before flavors.
public enum EmulatorFlavor: String, Sendable, Hashable, CaseIterable {
    case any
    case openai
    case aimlapi

    /// The path prefix threads are served under, or nil for both `/v1` and the root.
    var prefix: String? {
        switch self {
        case .any: return nil
        case .openai: return "/v1"
        case .aimlapi: return ""
        }
    }

    /// Whether thread calls need `OpenAI-Beta: assistants=v2`.
    var requiresBetaHeader: Bool { self == .openai }

    /// The error body of `error` for a request to `path`, in this flavor's shape.
    func body(of error: APIErrorResponse, path: Substring, requestID: String, now: Int64) -> [UInt8] {
        guard self == .aimlapi else { return error.body }
        var writer = JSONWriter(capacity: 200)
        writer.raw("{\"message\":")
        writer.string(error.message)
        writer.raw(",\"path\":")
        writer.string(String(path))
        writer.raw(",\"requestId\":")
        writer.string(requestID)
        writer.raw(",\"statusCode\":")
        writer.bytes.append(contentsOf: String(error.status).utf8)
        writer.raw(",\"timestamp\":")
        writer.string(Self.isoTimestamp(now))
        writer.raw("}")
        return writer.bytes
    }

    /// `error` as an answer in this flavor's shape.
    func response(_ error: APIErrorResponse, path: Substring, requestID: String, now: Int64) -> HTTPResponse {
        .json(error.status, body(of: error, path: path, requestID: requestID, now: now), headers: error.extraHeaders)
    }

    /// `2026-12-06T02:40:00.000Z`.
    static func isoTimestamp(_ seconds: Int64) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : String(value) }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))"
            + "T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)).000Z"
    }

    /// RFC 9110's IMF-fixdate for the `Date` header: `Sun, 06 Dec 2026 02:40:00 GMT`.
    static func httpDate(_ seconds: Int64) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : String(value) }
        return "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
    }
}
