// swift-tools-version:6.0
import PackageDescription

// Imports point one way, and each target declares exactly the modules it imports:
//   threadkeeper → ThreadkeeperCLI → Daemon, Executor, Configuration, CommandLineKit, Lifecycle and the modules below them;
//   the daemon reaches the executor only through its DaemonHost port, which the CLI fills in.
//   Daemon → Lifecycle, Rules, UnitFile, Schedule, Ledger, Journal; Executor → Rules, Ledger, ThreadsAPI, Journal;
//   Configuration → UnitFile, Schedule, Rules, ThreadsAPI (the config file, read into the client's settings);
//   Rules → UnitFile, Schedule, Ledger, ThreadsAPI (its MetadataLimits); Ledger → SQLite.
//   threadkeeper-emulator → EmulatorCLI → Emulator, CommandLineKit, Lifecycle (and Schedule and ThreadsAPI
//   for --seed-age, the loopback check and the version); Emulator → SQLite only, never Ledger.
//   threadkeeper does not link Emulator, nor HTTPHelper (URLSession): it sends requests through the
//   threadkeeper-http helper process (ThreadsAPI's HelperTransport), which is HTTPHelper → ThreadsAPI.
// JSON (the one parser, value and writer) imports no module; Emulator, Ledger, ThreadsAPI, Journal,
// Executor and the CLI use it.
// Lifecycle (services, graceful shutdown, the one signal path) imports no project module;
// CommandLineKit only UnitFile (its did-you-mean).
// CSQLite is imported only by SQLite, CLibmd only by Ledger, CZlib only by Executor, CSystemd only
// by Journal, CEpoll only by Emulator, CProcess by ThreadsAPI (ProcessHardening),
// Ledger (the spool) and Daemon (the heap's trim).
let package = Package(
    name: "threadkeeper",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "threadkeeper", targets: ["threadkeeper"]),
        .executable(name: "threadkeeper-emulator", targets: ["threadkeeper-emulator"]),
        // The HTTP helper threadkeeper starts to send its requests (ThreadsAPI's HelperTransport).
        .executable(name: "threadkeeper-http", targets: ["threadkeeper-http"]),
    ],
    targets: [
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .systemLibrary(
            name: "CSystemd",
            pkgConfig: "libsystemd",
            providers: [.apt(["libsystemd-dev"])]
        ),
        // zlib: the archives' gzip files (Executor/Archive/Gzip.swift).
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // libmd's <sha2.h>: SHA-256 for the hash chain and rule digests (Ledger/Hashing/SHA256.swift).
        .systemLibrary(
            name: "CLibmd",
            pkgConfig: "libmd",
            providers: [.apt(["libmd-dev"])]
        ),
        .systemLibrary(name: "CEpoll"),
        .systemLibrary(name: "CProcess"),
        // JSON: the one parser, value and writer; no dependencies.
        .target(name: "JSON"),
        .target(name: "UnitFile"),
        .target(name: "Schedule"),
        // Schedule: import reads created_at timestamps with the rules' parser.
        // SQLite: the connection, statements, values, limits and a structured SQLiteError.
        .target(name: "SQLite", dependencies: ["CSQLite"]),
        .target(name: "Ledger", dependencies: ["SQLite", "JSON", "CLibmd", "Schedule", "CProcess"]),
        // ThreadsAPI: rules that write metadata are checked against the API's MetadataLimits when they load.
        .target(name: "Rules", dependencies: ["UnitFile", "Schedule", "Ledger", "ThreadsAPI"]),
        .target(name: "ThreadsAPI", dependencies: ["JSON", "CProcess"]),
        // HTTPHelper: URLSession and the helper's loop. Only threadkeeper-http (and the benchmarks and
        // tests) link it, so the threadkeeper process never maps FoundationNetworking and libcurl.
        .target(name: "HTTPHelper", dependencies: ["ThreadsAPI"]),
        // The config file, read straight into the client's settings: APIProvider is the one provider table.
        .target(name: "Configuration", dependencies: ["UnitFile", "Schedule", "Rules", "ThreadsAPI"]),
        .target(name: "Journal", dependencies: ["JSON", "CSystemd"]),
        // Lifecycle: services, graceful shutdown and the one self-pipe signal path; imports no logger.
        .target(name: "Lifecycle"),
        .target(
            name: "Executor",
            dependencies: ["Rules", "Ledger", "ThreadsAPI", "Journal", "JSON", "CZlib"]
        ),
        .target(name: "Daemon", dependencies: ["Lifecycle", "Rules", "UnitFile", "Schedule", "Ledger", "Journal", "CProcess"]),
        .target(name: "Emulator", dependencies: ["JSON", "SQLite", "CEpoll"]),
        // CommandLineKit: commands, parsing, help, exit codes and the tool runner, shared by both executables.
        .target(name: "CommandLineKit", dependencies: ["UnitFile"]),
        .target(name: "EmulatorCLI", dependencies: ["CommandLineKit", "Emulator", "Lifecycle", "Schedule", "ThreadsAPI"]),
        .target(
            name: "ThreadkeeperCLI",
            dependencies: [
                "CommandLineKit", "Configuration", "Daemon", "Executor", "JSON", "Journal", "Ledger", "Lifecycle", "Rules",
                "SQLite", "Schedule", "ThreadsAPI", "UnitFile",
            ]),
        .executableTarget(name: "threadkeeper", dependencies: ["ThreadkeeperCLI", "ThreadsAPI"]),
        .executableTarget(name: "threadkeeper-emulator", dependencies: ["EmulatorCLI", "ThreadsAPI"]),
        .executableTarget(name: "threadkeeper-http", dependencies: ["HTTPHelper", "ThreadsAPI"]),
        .executableTarget(
            name: "threadkeeper-bench",
            dependencies: [
                "Daemon", "Executor", "HTTPHelper", "JSON", "Journal", "Ledger", "Rules", "SQLite", "Schedule", "ThreadsAPI",
                "UnitFile", "Emulator",
            ]),

        .target(name: "TestSupport", path: "Tests/TestSupport"),
        // Tests seed their property and fuzz cases with the emulator's SplitMix64, the project's one
        // seeded generator, so a failing case repeats from its seed.
        .testTarget(name: "JSONTests", dependencies: ["JSON", "TestSupport"]),
        .testTarget(name: "UnitFileTests", dependencies: ["UnitFile", "Emulator", "TestSupport"]),
        .testTarget(name: "ScheduleTests", dependencies: ["Schedule", "Emulator", "TestSupport"]),
        .testTarget(name: "SQLiteTests", dependencies: ["SQLite", "TestSupport"]),
        .testTarget(name: "LedgerTests", dependencies: ["Ledger", "SQLite", "JSON", "Emulator", "TestSupport"]),
        .testTarget(
            name: "RulesTests", dependencies: ["Rules", "UnitFile", "Schedule", "Ledger", "SQLite", "Emulator", "TestSupport"]),
        .testTarget(
            name: "ConfigurationTests",
            dependencies: ["Configuration", "Rules", "ThreadsAPI", "UnitFile", "Schedule", "Emulator", "TestSupport"]),
        .testTarget(name: "ThreadsAPITests", dependencies: ["ThreadsAPI", "HTTPHelper", "Emulator", "JSON", "TestSupport"]),
        .testTarget(name: "JournalTests", dependencies: ["Journal", "CProcess", "TestSupport"]),
        .testTarget(
            name: "ExecutorTests",
            dependencies: ["Executor", "Rules", "Ledger", "ThreadsAPI", "Journal", "Emulator", "SQLite", "JSON", "TestSupport"],
            // Archives written before zlib, read by GzipTests (not resources: read by path).
            exclude: ["Archive/Fixtures"]),
        .testTarget(name: "LifecycleTests", dependencies: ["Lifecycle", "TestSupport"]),
        .testTarget(name: "CommandLineKitTests", dependencies: ["CommandLineKit"]),
        .testTarget(
            name: "DaemonTests",
            dependencies: ["Daemon", "Lifecycle", "Journal", "Rules", "UnitFile", "Schedule", "Ledger", "Emulator", "TestSupport"]),
        .testTarget(name: "EmulatorTests", dependencies: ["Emulator", "JSON", "TestSupport"]),
        .testTarget(
            name: "ThreadkeeperCLITests",
            dependencies: [
                "ThreadkeeperCLI", "CommandLineKit", "Configuration", "Executor", "Rules", "Ledger", "ThreadsAPI", "Journal",
                "Emulator", "SQLite", "TestSupport",
            ]),
    ],
    swiftLanguageModes: [.v6]
)
