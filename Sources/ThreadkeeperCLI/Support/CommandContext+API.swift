import CommandLineKit
import Configuration
import Foundation
import ThreadsAPI

/// The option every command that calls the API accepts.
enum APIOptions {
    static let baseURL = OptionSpec(
        "--base-url", value: "URL", help: "Send requests to URL + /threads… instead of the config's BaseURL=.")
}

extension CommandContext {
    /// The client settings of the config's `[API]` section, with `--base-url` over `BaseURL=`.
    func apiConfiguration(_ configuration: Configuration, baseURL override: String? = nil) -> APIConfiguration {
        // The user agent names this build unless the config set its own.
        configuration.apiConfiguration(baseURL: override, userAgent: "threadkeeper/\(ThreadkeeperVersion.current)")
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
            // threadkeeper@ACCOUNT.service reads /etc/threadkeeper/ACCOUNT/api-key.
            let instance = environment["THREADKEEPER_INSTANCE"].flatMap { $0.isEmpty ? nil : $0 + "/" } ?? ""
            throw CommandFailure(
                error.message
                    + "; put the key, one line, into the file the unit's LoadCredential=api-key:… names "
                    + "(/etc/threadkeeper/\(instance)api-key as scripts/install sets it up, root's, mode 0600), then run "
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
