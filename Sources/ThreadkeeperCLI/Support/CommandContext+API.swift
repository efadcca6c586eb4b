import CommandLineKit
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
    /// A bad systemd credential is named with the file the admin edits and the unit to restart:
    /// the service sees only its copy under `$CREDENTIALS_DIRECTORY`. `warn` gets
    /// `APIKey.exposure`'s warning when the file behind a credential is readable by group or
    /// others; nil prints it on stderr.
    func loadAPIKey(_ configuration: Configuration, warn: ((String) -> Void)? = nil) throws -> APIKey {
        let key: APIKey
        do {
            key = try APIKey.load(environment: environment, keyFile: configuration.apiKeyFile.value)
        } catch let error as APIKeyError {
            guard let directory = environment["CREDENTIALS_DIRECTORY"], !directory.isEmpty,
                FileManager.default.fileExists(atPath: directory + "/api-key")
            else { throw error }
            // systemd.exec(5): credentials are placed in /run/credentials/UNIT.
            let unit = (directory as NSString).lastPathComponent
            throw CommandFailure(
                error.message
                    + "; put the key, one line, into the file the unit's LoadCredential=api-key:… names "
                    + "(/etc/threadkeeper/api-key as scripts/install sets it up, root's, mode 0600), then run "
                    + "'systemctl restart \(unit.hasSuffix(".service") ? String(unit.dropLast(8)) : unit)'",
                exitCode: .unavailable)
        }
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
