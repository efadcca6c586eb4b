// swift-tools-version:6.0
import PackageDescription

// Imports point one way, and each target declares exactly the modules it imports:
//   threadkeeper → ThreadkeeperCLI → Daemon, Executor, CommandLineKit, Lifecycle and the modules below them;
//   the daemon reaches the executor only through its DaemonHost port, which the CLI fills in.
//   Daemon → Lifecycle, Rules, UnitFile, Schedule, Ledger, Journal; Executor → Rules, Ledger, ThreadsAPI, Journal;
//   Rules → UnitFile, Schedule, Ledger; Ledger → SQLite.
//   threadkeeper-emulator → EmulatorCLI → Emulator, CommandLineKit, Lifecycle (and Schedule and ThreadsAPI
//   for --seed-age, the loopback check and the version); Emulator → SQLite only, never Ledger.
//   threadkeeper does not link Emulator.
// JSON (the one parser, value and writer) imports no module; Emulator, Ledger, ThreadsAPI, Journal,
// Executor and the CLI use it.
// Lifecycle (services, graceful shutdown, the one signal path) imports no project module;
// CommandLineKit only UnitFile (its did-you-mean).
// CSQLite is imported only by SQLite, CLibmd only by Ledger, CZlib only by Executor, CSystemd only
// by Journal, CEpoll only by Emulator, CProcess by ThreadsAPI (ProcessHardening) and Ledger (the spool).
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
        .target(name: "ThreadsAPI", dependencies: ["JSON", "CProcess"]),
        .target(name: "Journal", dependencies: ["JSON", "CSystemd"]),
        // Lifecycle: services, graceful shutdown and the one self-pipe signal path; imports no logger.
        .target(name: "Lifecycle"),
        .target(
            name: "Executor",
            dependencies: ["Rules", "Ledger", "ThreadsAPI", "Journal", "JSON", "CZlib"]
        ),
        .target(name: "Daemon", dependencies: ["Lifecycle", "Rules", "UnitFile", "Schedule", "Ledger", "Journal"]),
        .target(name: "Emulator", dependencies: ["JSON", "SQLite", "CEpoll"]),
        // CommandLineKit: commands, parsing, help, exit codes and the tool runner, shared by both executables.
        .target(name: "CommandLineKit", dependencies: ["UnitFile"]),
        .target(name: "EmulatorCLI", dependencies: ["CommandLineKit", "Emulator", "Lifecycle", "Schedule", "ThreadsAPI"]),
        .target(
            name: "ThreadkeeperCLI",
            dependencies: [
                "CommandLineKit", "Daemon", "Executor", "JSON", "Journal", "Ledger", "Lifecycle", "Rules", "SQLite", "Schedule",
                "ThreadsAPI", "UnitFile",
            ]),
        .executableTarget(name: "threadkeeper", dependencies: ["ThreadkeeperCLI", "ThreadsAPI"]),
        .executableTarget(name: "threadkeeper-emulator", dependencies: ["EmulatorCLI", "ThreadsAPI"]),
        .executableTarget(
            name: "threadkeeper-bench",
            dependencies: ["Daemon", "Executor", "JSON", "Journal", "Ledger", "Rules", "SQLite", "Schedule", "ThreadsAPI", "UnitFile"]),

        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "JSONTests", dependencies: ["JSON", "TestSupport"]),
        .testTarget(name: "UnitFileTests", dependencies: ["UnitFile", "TestSupport"]),
        .testTarget(name: "ScheduleTests", dependencies: ["Schedule", "TestSupport"]),
        .testTarget(name: "SQLiteTests", dependencies: ["SQLite", "TestSupport"]),
        .testTarget(name: "LedgerTests", dependencies: ["Ledger", "SQLite", "JSON", "TestSupport"]),
        .testTarget(name: "RulesTests", dependencies: ["Rules", "UnitFile", "Schedule", "Ledger", "SQLite", "TestSupport"]),
        .testTarget(name: "ThreadsAPITests", dependencies: ["ThreadsAPI", "Emulator", "JSON", "TestSupport"]),
        .testTarget(name: "JournalTests", dependencies: ["Journal", "TestSupport"]),
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
                "ThreadkeeperCLI", "CommandLineKit", "Executor", "Rules", "Ledger", "ThreadsAPI", "Journal", "Emulator", "SQLite",
                "TestSupport",
            ]),
    ],
    swiftLanguageModes: [.v6]
)
