import Foundation

/// Everything the client needs except the key: where to send requests, how, and how fast.
///
/// Plain data, filled from `[API]` of the config file (and `--base-url`); `resolved()`
/// checks it and turns it into what the client uses.
public struct APIConfiguration: Sendable, Hashable {
    public var provider: APIProvider
    /// Requests go to `baseURL + "/threads…"`; nil means the profile's default.
    public var baseURL: String?
    /// Extra headers sent with every request (`Header=Name: value` in `[API]`).
    public var headers: [String: String]
    public var userAgent: String
    /// Seconds one attempt may take before it counts as timed out.
    public var timeout: Double
    /// The account's budget, shared by everything in the process.
    public var requestsPerSecond: Double
    /// Requests allowed above the rate in a burst; nil means a tenth of a second's budget, at least 1.
    public var burst: Int?
    /// Requests in flight at once.
    public var concurrency: Int
    /// Allow plain HTTP to a host other than loopback.
    public var allowInsecure: Bool
    /// Tries per request, the first included.
    public var maxAttempts: Int
    /// Seconds a request may spend on retries before it fails.
    public var retryDeadline: Double
    /// The most bytes of one answer read before the request fails.
    public var maxResponseBytes: Int

    public init(
        provider: APIProvider = .aimlapi, baseURL: String? = nil, headers: [String: String] = [:],
        userAgent: String = APIConfiguration.defaultUserAgent, timeout: Double = 30, requestsPerSecond: Double = 5,
        burst: Int? = nil, concurrency: Int = 8, allowInsecure: Bool = false, maxAttempts: Int = 6,
        retryDeadline: Double = 120, maxResponseBytes: Int = 16 << 20
    ) {
        self.provider = provider
        self.baseURL = baseURL
        self.headers = headers
        self.userAgent = userAgent
        self.timeout = timeout
        self.requestsPerSecond = requestsPerSecond
        self.burst = burst
        self.concurrency = concurrency
        self.allowInsecure = allowInsecure
        self.maxAttempts = maxAttempts
        self.retryDeadline = retryDeadline
        self.maxResponseBytes = maxResponseBytes
    }

    public static let defaultUserAgent = "threadkeeper/0.1"

    /// The burst in effect: the configured one, else a tenth of a second's budget, at least 1.
    public var effectiveBurst: Int {
        if let burst { return max(1, burst) }
        return max(1, Int((requestsPerSecond / 10).rounded(.down)))
    }

    /// The base URL in effect, without a trailing slash.
    public var effectiveBaseURL: String? {
        guard let url = baseURL ?? provider.defaultBaseURL else { return nil }
        var trimmed = url
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        return trimmed
    }

    /// Checks the values and the base URL; throws an `APIError` of kind `.configuration` naming the bad one.
    public func resolved() throws -> ResolvedAPIConfiguration {
        func bad(_ message: String) -> APIError { APIError(kind: .configuration, message: message) }
        guard let base = effectiveBaseURL else {
            throw bad("provider 'custom' needs BaseURL= in [API] (or --base-url)")
        }
        // The host from URL, not URLComponents: its `host` runs the IDNA transcoder, which loads
        // ICU's normalisation data into every process that reads a config (docs/BENCHMARKS.md).
        guard let components = URLComponents(string: base), let scheme = components.scheme?.lowercased(),
            let host = URL(string: base)?.host(), !host.isEmpty
        else {
            throw bad("base url '\(base)' is not an absolute http or https url; set BaseURL= like https://api.aimlapi.com")
        }
        guard scheme == "https" || scheme == "http" else {
            throw bad("base url '\(base)' uses scheme '\(scheme)'; use https (or http for loopback)")
        }
        if components.query != nil || components.fragment != nil || components.user != nil || components.password != nil {
            throw bad("base url '\(base)' may not carry a query, fragment or user info; give only scheme, host, port and path")
        }
        if scheme == "http", !allowInsecure, !Self.isLoopback(host: host) {
            throw bad(
                "base url '\(base)' sends the key over plain http to a remote host; use https, or set AllowInsecure=yes if you must")
        }
        guard requestsPerSecond > 0, requestsPerSecond.isFinite else {
            throw bad("RequestsPerSecond='\(requestsPerSecond)' must be a positive number")
        }
        guard concurrency >= 1 else { throw bad("Concurrency='\(concurrency)' must be at least 1") }
        guard timeout > 0 else { throw bad("Timeout='\(timeout)' must be positive") }
        guard maxAttempts >= 1 else { throw bad("MaxAttempts='\(maxAttempts)' must be at least 1") }
        var merged = provider.headers
        for (name, value) in headers {
            guard Self.isToken(name) else { throw bad("header name '\(name)' is not a valid http header name") }
            guard !value.contains(where: { $0.isNewline || $0 == "\0" }) else {
                throw bad("header '\(name)' has a line break in its value")
            }
            let lower = name.lowercased()
            if lower == "authorization" || lower == "host" || lower == "content-length" {
                throw bad("header '\(name)' cannot be configured; the client sets it itself")
            }
            merged = merged.filter { $0.key.lowercased() != lower }
            merged[name] = value
        }
        guard Self.isHeaderValue(userAgent) else { throw bad("user agent '\(userAgent)' has a line break") }
        return ResolvedAPIConfiguration(
            configuration: self, baseURL: base, headers: merged.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
    }

    /// Whether `host` is this machine (`localhost`, 127.0.0.0/8, `::1`).
    public static func isLoopback(host: String) -> Bool {
        let lower = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        if lower == "localhost" || lower == "::1" || lower.hasSuffix(".localhost") { return true }
        let octets = lower.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }

    static func isToken(_ name: String) -> Bool {
        !name.isEmpty
            && name.unicodeScalars.allSatisfy { scalar in
                scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || "!#$%&'*+-.^_`|~".unicodeScalars.contains(scalar))
            }
    }

    static func isHeaderValue(_ value: String) -> Bool {
        !value.contains { $0.isNewline || $0 == "\0" }
    }
}

/// A checked configuration: the base URL without trailing slash and the headers to send.
public struct ResolvedAPIConfiguration: Sendable {
    public var configuration: APIConfiguration
    public var baseURL: String
    public var headers: [(String, String)]
}
