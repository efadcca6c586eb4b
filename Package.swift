// swift-tools-version:6.0
import PackageDescription

// Imports point one way: CLI → Daemon → Executor → {Rules, Schedule, Ledger, ThreadsAPI, Journal};
// CLI → Configuration → {Rules, ThreadsAPI} (the config file, read into the client's settings);
// Ledger → SQLite, and the emulator's --state file uses SQLite, never Ledger.
// CSQLite is imported only by SQLite, CLibmd only by Ledger, CZlib only by Executor, CSystemd only
// by Journal, CProcess only by ThreadkeeperCLI.
let package = Package(
    name: "threadkeeper",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "threadkeeper", targets: ["threadkeeper"]),
        .executable(name: "threadkeeper-emulator", targets: ["threadkeeper-emulator"]),
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
        .target(name: "UnitFile"),
        .target(name: "Schedule"),
        // Schedule: import reads created_at timestamps with the rules' parser.
        // SQLite: the connection, statements, values, limits and a structured SQLiteError.
        .target(name: "SQLite", dependencies: ["CSQLite"]),
        .target(name: "Ledger", dependencies: ["SQLite", "CLibmd", "Schedule", "CProcess"]),
        // ThreadsAPI: rules that write metadata are checked against the API's MetadataLimits when they load.
        .target(name: "Rules", dependencies: ["UnitFile", "Schedule", "Ledger", "SQLite", "ThreadsAPI"]),
        .target(name: "ThreadsAPI"),
        // The config file, read straight into the client's settings: APIProvider is the one provider table.
        .target(name: "Configuration", dependencies: ["UnitFile", "Schedule", "Rules", "ThreadsAPI"]),
        .target(name: "Journal", dependencies: ["CSystemd"]),
        .target(
            name: "Executor",
            dependencies: ["Rules", "Schedule", "Ledger", "ThreadsAPI", "Journal", "CZlib"]
        ),
        .target(name: "Daemon", dependencies: ["Executor", "Rules", "UnitFile", "Schedule", "Ledger", "Journal"]),
        .target(name: "Emulator", dependencies: ["SQLite", "CEpoll"]),
        .target(name: "ThreadkeeperCLI", dependencies: ["Daemon", "Configuration", "Emulator", "SQLite", "CProcess"]),
        .executableTarget(name: "threadkeeper", dependencies: ["ThreadkeeperCLI"]),
        .executableTarget(name: "threadkeeper-emulator", dependencies: ["ThreadkeeperCLI"]),
        .executableTarget(name: "threadkeeper-bench", dependencies: ["ThreadkeeperCLI", "SQLite", "Emulator"]),

        .target(name: "TestSupport", path: "Tests/TestSupport"),
        // Tests seed their property and fuzz cases with the emulator's SplitMix64, the project's one
        // seeded generator, so a failing case repeats from its seed.
        .testTarget(name: "UnitFileTests", dependencies: ["UnitFile", "Emulator", "TestSupport"]),
        .testTarget(name: "ScheduleTests", dependencies: ["Schedule", "Emulator", "TestSupport"]),
        .testTarget(name: "SQLiteTests", dependencies: ["SQLite", "TestSupport"]),
        .testTarget(name: "LedgerTests", dependencies: ["Ledger", "SQLite", "Emulator", "TestSupport"]),
        .testTarget(name: "RulesTests", dependencies: ["Rules", "SQLite", "Emulator", "TestSupport"]),
        .testTarget(name: "ConfigurationTests", dependencies: ["Configuration", "Rules", "ThreadsAPI", "UnitFile", "Schedule", "Emulator", "TestSupport"]),
        .testTarget(name: "ThreadsAPITests", dependencies: ["ThreadsAPI", "Emulator", "TestSupport"]),
        .testTarget(name: "JournalTests", dependencies: ["Journal", "TestSupport"]),
        .testTarget(
            name: "ExecutorTests", dependencies: ["Executor", "Emulator", "SQLite", "TestSupport"],
            // Archives written before zlib, read by GzipTests (not resources: read by path).
            exclude: ["Archive/Fixtures"]),
        .testTarget(
            name: "DaemonTests", dependencies: ["Daemon", "Journal", "Rules", "UnitFile", "Schedule", "Ledger", "Emulator", "TestSupport"]),
        .testTarget(name: "EmulatorTests", dependencies: ["Emulator", "TestSupport"]),
        .testTarget(name: "ThreadkeeperCLITests", dependencies: ["ThreadkeeperCLI", "Configuration", "SQLite", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
