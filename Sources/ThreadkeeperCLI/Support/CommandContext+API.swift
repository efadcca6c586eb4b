import Foundation
import Rules
import ThreadsAPI

/// The option every command that calls the API accepts.
enum APIOptions {
    static let baseURL = OptionSpec(
        "--base-url", value: "URL", help: "Send requests to URL + /threads… instead of the config's BaseURL=.")
}

extension CommandContext {
    /// The client settings of the config's `[API]` section, with `--base-url` over `BaseURL=`.
    func apiConfiguration(_ configuration: Configuration, baseURL override: String? = nil) -> APIConfiguration {
        let provider = ThreadsAPI.APIProvider(rawValue: configuration.provider.value.rawValue) ?? .aimlapi
        var baseURL: String? = configuration.baseURL.value.isEmpty ? nil : configuration.baseURL.value
        if let override, !override.isEmpty { baseURL = override }
        var headers: [String: String] = [:]
        for header in configuration.headers.value { headers[header.name] = header.value }
        // The user agent names this build unless the config set its own.
        let userAgent =
            configuration.userAgent.origin == .defaultValue
            ? "threadkeeper/\(ThreadkeeperVersion.current)" : configuration.userAgent.value
        return APIConfiguration(
            provider: provider, baseURL: baseURL, headers: headers, userAgent: userAgent,
            timeout: max(0.001, Double(configuration.timeout.value.microseconds) / 1_000_000),
            requestsPerSecond: configuration.requestsPerSecond.value,
            // An unset Burst= means a tenth of a second's budget, at least one.
            burst: configuration.burst.origin == .defaultValue ? nil : configuration.burst.value,
            concurrency: configuration.concurrency.value, allowInsecure: configuration.allowInsecure.value)
    }

    /// The key as the service loads it: `$CREDENTIALS_DIRECTORY/api-key`, `ApiKeyFile=`, `$THREADKEEPER_API_KEY`.
    ///
    /// `warn` gets `APIKey.exposure`'s warning when the file behind a credential is readable
    /// by group or others; nil prints it on stderr.
    func loadAPIKey(_ configuration: Configuration, warn: ((String) -> Void)? = nil) throws -> APIKey {
        let key = try APIKey.load(environment: environment, keyFile: configuration.apiKeyFile.value)
        if let warning = APIKey.exposure(environment: environment, keyFile: configuration.apiKeyFile.value) {
            if let warn { warn(warning) } else { self.warn("warning: " + warning) }
        }
        return key
    }

    /// A client for the config's `[API]` section and the key; `--base-url` overrides `BaseURL=`.
    func makeThreadsClient(
        _ configuration: Configuration, baseURL: String? = nil, warn: ((String) -> Void)? = nil
    ) throws -> ThreadsClient {
        let settings = apiConfiguration(configuration, baseURL: baseURL)
        // Check the configuration before the key, so a bad URL is reported even without a key.
        _ = try settings.resolved()
        return try ThreadsClient(configuration: settings, key: loadAPIKey(configuration, warn: warn))
    }
}
