import Rules
import Schedule
import ThreadsAPI
import UnitFile

/// Where a setting's value came from, for `show-config`.
public enum SettingOrigin: Sendable, Hashable, CustomStringConvertible {
    case defaultValue
    /// A line of the config file.
    case file(SourceLocation)
    /// A command-line flag such as `--ledger`.
    case flag(String)
    /// An environment variable such as `STATE_DIRECTORY`.
    case environment(String)

    public var description: String {
        switch self {
        case .defaultValue: "default"
        case .file(let location): "\(location.file):\(location.line)"
        case .flag(let name): "flag \(name)"
        case .environment(let name): "environment \(name)"
        }
    }
}

/// A value and where it came from.
public struct Setting<Value: Sendable & Hashable>: Sendable, Hashable {
    public var value: Value
    public var origin: SettingOrigin

    public init(_ value: Value, _ origin: SettingOrigin = .defaultValue) {
        self.value = value
        self.origin = origin
    }
}

/// The effective configuration: `threadkeeper.conf` over defaults, then flags and environment.
///
/// Plain data: reading the key, opening the ledger and loading rules happen elsewhere,
/// from these values. The `[API]` defaults are `APIConfiguration`'s and the provider
/// profiles `APIProvider`'s, so the file and the client cannot disagree about them.
public struct Configuration: Sendable, Hashable {
    public static let defaultRulesDirectory = "/etc/threadkeeper/rules.d"

    /// The client's defaults, which `[API]` settings start from.
    private static let apiDefaults = APIConfiguration()

    /// The config file that was read, nil when none was (a missing default file).
    public var file: String?

    // [API]
    public var provider = Setting(apiDefaults.provider)
    /// The provider's base URL unless `BaseURL=` set one; empty for `custom` without it.
    public var baseURL = Setting(apiDefaults.provider.defaultBaseURL ?? "")
    public var apiKeyFile = Setting<String?>(nil)
    /// The account's budget, shared by every rule.
    public var requestsPerSecond = Setting(apiDefaults.requestsPerSecond)
    /// Requests allowed above the rate at once; nil leaves it to the client (a tenth of a second's budget, at least 1).
    public var burst = Setting(apiDefaults.burst)
    public var concurrency = Setting(apiDefaults.concurrency)
    public var timeout = Setting(TimeSpan(microseconds: Int64(apiDefaults.timeout * 1_000_000)))
    public var userAgent = Setting(APIConfiguration.defaultUserAgent)
    /// The provider's headers followed by `Header=` lines.
    public var headers = Setting(Configuration.headers(of: apiDefaults.provider))
    /// Allow `http://` to a host other than loopback.
    public var allowInsecure = Setting(apiDefaults.allowInsecure)

    // [Ledger]
    /// nil: the default location (`LedgerLocation` in the CLI decides).
    public var ledgerPath = Setting<String?>(nil)

    // [Rules]
    public var rulesDirectory = Setting(Configuration.defaultRulesDirectory)
    public var hold = Setting(RuleSet.defaultHold)

    // [Daemon]
    /// Run a rule at start when its schedule elapsed while the daemon was stopped.
    public var runMissed = Setting(true)

    // [Metrics]
    /// node_exporter's textfile directory to write `threadkeeper.prom` into; nil: no metrics file.
    public var metricsDirectory = Setting<String?>(nil)
    /// How often the daemon rewrites the file while no run ends (the backlog and ages move with time).
    public var metricsInterval = Setting(TimeSpan.seconds(60))

    public init() {}

    /// The request budget rules are checked against.
    public var budget: RuleBudget {
        RuleBudget(requestsPerSecond: requestsPerSecond.value, concurrency: concurrency.value)
    }

    /// The profile's headers as `Header=` lines would set them, in name order.
    static func headers(of provider: APIProvider) -> [Header] {
        provider.headers.sorted { $0.key < $1.key }.map { Header(name: $0.key, value: $0.value) }
    }

    /// One `Header=Name: value`.
    public struct Header: Sendable, Hashable, CustomStringConvertible {
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }

        public var description: String { "\(name): \(value)" }
    }
}
