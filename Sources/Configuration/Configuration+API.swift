import ThreadsAPI

extension Configuration {
    /// The client settings of `[API]`: the provider, base URL and headers as read, the budget and timeout.
    ///
    /// - Parameters:
    ///   - override: `--base-url`, which wins over `BaseURL=` when not empty.
    ///   - userAgent: the user agent when the file sets no `UserAgent=` (the CLI names its build).
    public func apiConfiguration(baseURL override: String? = nil, userAgent fallback: String? = nil) -> APIConfiguration {
        var baseURL: String? = self.baseURL.value.isEmpty ? nil : self.baseURL.value
        if let override, !override.isEmpty { baseURL = override }
        var headers: [String: String] = [:]
        for header in self.headers.value { headers[header.name] = header.value }
        let userAgent = self.userAgent.origin == .defaultValue ? fallback ?? self.userAgent.value : self.userAgent.value
        return APIConfiguration(
            provider: provider.value, baseURL: baseURL, headers: headers, userAgent: userAgent,
            timeout: max(0.001, Double(timeout.value.microseconds) / 1_000_000),
            requestsPerSecond: requestsPerSecond.value, burst: burst.value, concurrency: concurrency.value,
            allowInsecure: allowInsecure.value)
    }
}
