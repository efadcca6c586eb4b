import CommandLineKit

/// The option group every command accepts anywhere after its name.
public struct SharedOptions: Sendable, Equatable {
    /// `--config FILE`; nil means the default path, where a missing file means defaults.
    public var configPath: String?
    /// `--ledger FILE`.
    public var ledgerPath: String?
    /// `--rules DIR`.
    public var rulesDirectory: String?
    /// `--log-target journal|stderr|auto`.
    public var logTarget: String
    /// `--log-format text|json`.
    public var logFormat: String

    public init(
        configPath: String? = nil, ledgerPath: String? = nil, rulesDirectory: String? = nil,
        logTarget: String = "auto", logFormat: String = "text"
    ) {
        self.configPath = configPath
        self.ledgerPath = ledgerPath
        self.rulesDirectory = rulesDirectory
        self.logTarget = logTarget
        self.logFormat = logFormat
    }

    init(_ arguments: ParsedArguments) {
        self.init(
            configPath: arguments.value("--config"),
            ledgerPath: arguments.value("--ledger"),
            rulesDirectory: arguments.value("--rules"),
            logTarget: arguments.value("--log-target") ?? "auto",
            logFormat: arguments.value("--log-format") ?? "text")
    }

    static let specs: [OptionSpec] = [
        OptionSpec(
            "--config", value: "FILE", help: "Config file (default /etc/threadkeeper/threadkeeper.conf; missing default = defaults)."),
        OptionSpec(
            "--ledger", value: "FILE",
            help: "Ledger file (default: [Ledger] Path=, $STATE_DIRECTORY, /var/lib/threadkeeper or $XDG_STATE_HOME)."),
        OptionSpec("--rules", value: "DIR", help: "Rules directory (default /etc/threadkeeper/rules.d)."),
        OptionSpec(
            "--log-target", value: "TARGET", allowed: ["journal", "stderr", "auto"],
            help: "Where events go: journal, stderr or auto (journal when its socket answers)."),
        OptionSpec("--log-format", value: "FORMAT", allowed: ["text", "json"], help: "Format of events written to stderr: text or json."),
    ]
}
