import Foundation
import Rules
import ThreadsAPI
import UnitFile

extension CommandContext {
    /// The config file this invocation reads: `--config`, else the default path.
    public var configurationPath: String { shared.configPath ?? LedgerLocation.defaultConfigPath }

    /// Reads the config file and applies the shared flags and the environment over it.
    ///
    /// A missing default file means defaults; a missing `--config FILE` is an error (exit 66).
    /// A file with errors throws `RuleError` (exit 65) carrying every finding; warnings go to stderr.
    public func loadConfiguration() throws -> Configuration {
        let (configuration, diagnostics) = try readConfiguration()
        for warning in diagnostics where !warning.isError { standardError.line(warning.description) }
        if diagnostics.containsErrors { throw RuleError(diagnostics: diagnostics.filter(\.isError)) }
        return configuration
    }

    /// The configuration and every finding, without throwing for findings (for `check`).
    func readConfiguration() throws -> (Configuration, [Diagnostic]) {
        let path = configurationPath
        var configuration = Configuration()
        var diagnostics: [Diagnostic] = []
        if FileManager.default.fileExists(atPath: path) {
            (configuration, diagnostics) = Configuration.load(path: path)
        } else if shared.configPath != nil {
            throw CommandFailure("config file '\(path)' does not exist; check --config", exitCode: .noInput)
        }
        return (applyingFlagsAndEnvironment(to: configuration), diagnostics)
    }

    /// `--ledger` and `--rules` win over the file; `$STATE_DIRECTORY` sets the default ledger.
    func applyingFlagsAndEnvironment(to base: Configuration) -> Configuration {
        var configuration = base
        if let flag = shared.rulesDirectory, !flag.isEmpty {
            configuration.rulesDirectory = Setting(flag, .flag("--rules"))
        }
        configuration.ledgerPath = resolvedLedgerPath(configuration).map { Setting($0.value, $0.origin) } ?? configuration.ledgerPath
        return configuration
    }

    /// The ledger path and where it came from: `--ledger`, `[Ledger] Path=`, `$STATE_DIRECTORY`, or the default.
    func resolvedLedgerPath(_ configuration: Configuration) -> Setting<String?>? {
        let path = LedgerLocation.resolve(
            flag: shared.ledgerPath, configured: configuration.ledgerPath.value, environment: environment, isRoot: geteuid() == 0)
        if let flag = shared.ledgerPath, !flag.isEmpty { return Setting(path, .flag("--ledger")) }
        if configuration.ledgerPath.value != nil { return configuration.ledgerPath }
        if let state = environment["STATE_DIRECTORY"], !state.isEmpty { return Setting(path, .environment("STATE_DIRECTORY")) }
        return Setting(path, .defaultValue)
    }

    /// The ledger file for this invocation, with the config's `[Ledger] Path=` applied.
    public func ledgerPath(for configuration: Configuration) -> String {
        resolvedLedgerPath(configuration)?.value
            ?? LedgerLocation.resolve(
                flag: shared.ledgerPath, configured: nil, environment: environment, isRoot: geteuid() == 0)
    }

    /// The rules directory: `--rules`, else `[Rules] Directory=`, else `/etc/threadkeeper/rules.d`.
    public func rulesDirectory(for configuration: Configuration) -> String {
        if let flag = shared.rulesDirectory, !flag.isEmpty { return flag }
        return configuration.rulesDirectory.value
    }

    /// Where the API key would come from, without reading it: a systemd credential, `ApiKeyFile=` or the environment.
    public func apiKeySource(for configuration: Configuration) -> String {
        if let directory = environment["CREDENTIALS_DIRECTORY"], !directory.isEmpty,
            FileManager.default.fileExists(atPath: directory + "/api-key")
        {
            return "systemd credential \(directory)/api-key"
        }
        if let file = configuration.apiKeyFile.value { return "key file \(file)" }
        if environment[APIKey.environmentVariable] != nil { return "environment \(APIKey.environmentVariable)" }
        return "none: set LoadCredential=api-key:…, ApiKeyFile= or \(APIKey.environmentVariable)"
    }
}
