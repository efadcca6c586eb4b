import CommandLineKit
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
    ///
    /// Afterwards `ledgerPath` always holds the path in effect, with its origin.
    func applyingFlagsAndEnvironment(to base: Configuration) -> Configuration {
        var configuration = base
        if let flag = shared.rulesDirectory, !flag.isEmpty {
            configuration.rulesDirectory = Setting(flag, .flag("--rules"))
        }
        let path = LedgerLocation.resolve(
            flag: shared.ledgerPath, configured: base.ledgerPath.value, environment: environment, isRoot: ServiceAccount.usesServiceState)
        let origin: SettingOrigin
        if let flag = shared.ledgerPath, !flag.isEmpty {
            origin = .flag("--ledger")
        } else if base.ledgerPath.value != nil {
            origin = base.ledgerPath.origin
        } else if let state = environment["STATE_DIRECTORY"], !state.isEmpty {
            origin = .environment("STATE_DIRECTORY")
        } else {
            origin = .defaultValue
        }
        configuration.ledgerPath = Setting(path, origin)
        return configuration
    }

    /// The ledger file for this invocation: `--ledger`, `[Ledger] Path=`, `$STATE_DIRECTORY`, or the default.
    public func ledgerPath(for configuration: Configuration) -> String {
        LedgerLocation.resolve(
            flag: shared.ledgerPath, configured: configuration.ledgerPath.value, environment: environment,
            isRoot: ServiceAccount.usesServiceState)
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
