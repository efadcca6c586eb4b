// swift-tools-version:6.0
import PackageDescription

// Imports point one way: CLI → Daemon → Executor → {Rules, Schedule, Ledger, ThreadsAPI, Journal};
// Ledger → SQLite, and the emulator's --state file uses SQLite, never Ledger. JSON (one parser, value
// and writer) is shared by the emulator, Ledger, ThreadsAPI, Journal, Executor and the CLI.
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
        // JSON: the one parser, value and writer; no dependencies.
        .target(name: "JSON"),
        .target(name: "UnitFile"),
        .target(name: "Schedule"),
        // Schedule: import reads created_at timestamps with the rules' parser.
        // SQLite: the connection, statements, values, limits and a structured SQLiteError.
        .target(name: "SQLite", dependencies: ["CSQLite"]),
        .target(name: "Ledger", dependencies: ["SQLite", "JSON", "CLibmd", "Schedule", "CProcess"]),
        .target(name: "Rules", dependencies: ["UnitFile", "Schedule", "Ledger", "SQLite"]),
        .target(name: "ThreadsAPI", dependencies: ["JSON"]),
        .target(name: "Journal", dependencies: ["JSON", "CSystemd"]),
        .target(
            name: "Executor",
            dependencies: ["Rules", "Schedule", "Ledger", "ThreadsAPI", "Journal", "JSON", "CZlib"]
        ),
        .target(name: "Daemon", dependencies: ["Executor", "Rules", "UnitFile", "Schedule", "Ledger", "Journal"]),
        .target(name: "Emulator", dependencies: ["JSON", "SQLite", "CEpoll"]),
        .target(name: "ThreadkeeperCLI", dependencies: ["Daemon", "Emulator", "SQLite", "JSON", "CProcess"]),
        .executableTarget(name: "threadkeeper", dependencies: ["ThreadkeeperCLI"]),
        .executableTarget(name: "threadkeeper-emulator", dependencies: ["ThreadkeeperCLI"]),
        .executableTarget(name: "threadkeeper-bench", dependencies: ["ThreadkeeperCLI", "SQLite", "JSON"]),

        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "JSONTests", dependencies: ["JSON", "TestSupport"]),
        .testTarget(name: "UnitFileTests", dependencies: ["UnitFile", "TestSupport"]),
        .testTarget(name: "ScheduleTests", dependencies: ["Schedule", "TestSupport"]),
        .testTarget(name: "SQLiteTests", dependencies: ["SQLite", "TestSupport"]),
        .testTarget(name: "LedgerTests", dependencies: ["Ledger", "SQLite", "JSON", "TestSupport"]),
        .testTarget(name: "RulesTests", dependencies: ["Rules", "SQLite", "TestSupport"]),
        .testTarget(name: "ThreadsAPITests", dependencies: ["ThreadsAPI", "Emulator", "JSON", "TestSupport"]),
        .testTarget(name: "JournalTests", dependencies: ["Journal", "TestSupport"]),
        .testTarget(
            name: "ExecutorTests", dependencies: ["Executor", "Emulator", "SQLite", "JSON", "TestSupport"],
            // Archives written before zlib, read by GzipTests (not resources: read by path).
            exclude: ["Archive/Fixtures"]),
        .testTarget(
            name: "DaemonTests", dependencies: ["Daemon", "Journal", "Rules", "UnitFile", "Schedule", "Ledger", "Emulator", "TestSupport"]),
        .testTarget(name: "EmulatorTests", dependencies: ["Emulator", "JSON", "TestSupport"]),
        .testTarget(name: "ThreadkeeperCLITests", dependencies: ["ThreadkeeperCLI", "SQLite", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
