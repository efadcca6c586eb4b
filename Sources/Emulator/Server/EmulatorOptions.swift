import Glibc

/// How to start an emulator; mirrors the flags of `threadkeeper-emulator`.
public struct EmulatorOptions: Sendable {
    /// Address to listen on (`--host`); loopback by default.
    public var host: String
    /// Port (`--port`); 0 lets the kernel choose.
    public var port: Int
    /// Threads to generate at start (`--seed`).
    public var seedCount: Int
    /// Seeded threads are created over this many seconds before now (`--seed-age`).
    public var seedAge: Int64
    /// Seed of every random choice (`--seed-random`); nil picks one at random.
    public var seedRandom: UInt64?
    /// JSONL of thread objects to load at start (`--seed-file`).
    public var seedFile: String?
    /// Where to write the live threads as JSONL once seeded, before serving (`--export`).
    public var exportFile: String?
    /// Limits and faults (`--rps`, `--burst`, `--latency`, `--fail-rate`, `--reset-rate`).
    public var faults: EmulatorFaults
    /// The key every request must present as `Authorization: Bearer` (`--api-key`).
    public var apiKey: String?
    /// A SQLite file the state is loaded from at start and saved to while running and at stop (`--state`).
    public var stateFile: String?
    public var limits: HTTPLimits
    public var timeouts: ServerTimeouts
    /// Event-loop threads; by default one per core, at most four.
    public var eventLoops: Int
    /// The provider played: paths, the beta header, error shapes (`--flavor`).
    public var flavor: EmulatorFlavor
    /// Wall-clock Unix seconds, for `created_at`; injectable so tests can pin time.
    public var clock: @Sendable () -> Int64

    public init(
        host: String = "127.0.0.1", port: Int = 0, seedCount: Int = 0, seedAge: Int64 = 365 * 86_400,
        seedRandom: UInt64? = nil, seedFile: String? = nil, exportFile: String? = nil, faults: EmulatorFaults = .none,
        apiKey: String? = nil, stateFile: String? = nil, limits: HTTPLimits = HTTPLimits(),
        timeouts: ServerTimeouts = ServerTimeouts(), eventLoops: Int? = nil, flavor: EmulatorFlavor = .any,
        clock: @escaping @Sendable () -> Int64 = { Int64(time(nil)) }
    ) {
        self.host = host
        self.port = port
        self.seedCount = seedCount
        self.seedAge = seedAge
        self.seedRandom = seedRandom
        self.seedFile = seedFile
        self.exportFile = exportFile
        self.faults = faults
        self.apiKey = apiKey
        self.stateFile = stateFile
        self.limits = limits
        self.timeouts = timeouts
        self.eventLoops = eventLoops ?? max(1, min(4, sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        self.flavor = flavor
        self.clock = clock
    }
}
