import CommandLineKit
import Emulator
import Foundation
import Lifecycle
import Schedule
import ThreadsAPI

/// `threadkeeper-emulator`: serves an emulated Threads API until SIGTERM or SIGINT.
struct EmulatorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "",
        abstract: "Serve an emulated Threads API (OpenAI Assistants v2 wire format) on loopback.",
        discussion: """
            Serves /threads… and /v1/threads… (threads and messages: create, retrieve, modify, delete, list) \
            with OpenAI's object shapes and errors, plus GET /_emulator/stats. Threads live in memory; \
            --state keeps them in a SQLite file across restarts. The listening URL is printed once the port \
            accepts connections (after --seed and --export are done). SIGTERM or SIGINT stops it cleanly. \
            Any other path answers 404 'Invalid URL (…)', as OpenAI does: a base URL with a wrong prefix \
            (http://HOST:PORT/wrong) shows how threadkeeper treats an endpoint that is not the Threads API. \
            --flavor openai serves only /v1/threads… and answers 400 'invalid_beta' to a call without \
            'OpenAI-Beta: assistants=v2', as OpenAI did; --flavor aimlapi serves only /threads… and answers \
            errors in AI/ML API's shape {"message","path","requestId","statusCode","timestamp"}.
            """,
        options: [
            OptionSpec("--host", value: "ADDRESS", help: "Address to listen on (default 127.0.0.1)."),
            OptionSpec("--port", value: "N", help: "Port to listen on; 0 (the default) lets the kernel choose."),
            OptionSpec("--port-file", value: "FILE", help: "Write the port number to FILE once listening."),
            OptionSpec(
                "--flavor", value: "PROVIDER", allowed: ["any", "openai", "aimlapi"],
                help: "Play one provider: its paths, beta header and error shape (default any: both prefixes, OpenAI's errors)."),
            OptionSpec("--seed", value: "N", help: "Create N threads at start, with metadata and a few messages each."),
            OptionSpec("--seed-age", value: "SPAN", help: "Spread seeded created_at over SPAN before now (default 365d)."),
            OptionSpec("--seed-random", value: "S", help: "Seed of the random choices, for a reproducible inventory."),
            OptionSpec("--seed-file", value: "FILE", help: "Load threads from JSONL of thread objects."),
            OptionSpec("--export", value: "FILE", help: "Write the threads as JSONL (for 'threadkeeper import') before serving."),
            OptionSpec("--rps", value: "R", help: "Allow R requests a second over all clients; beyond: 429 with Retry-After."),
            OptionSpec("--burst", value: "B", help: "Requests allowed at once under --rps (default: R rounded up)."),
            OptionSpec("--latency", value: "MS", help: "Delay every answer by about MS milliseconds (±25% jitter)."),
            OptionSpec("--fail-rate", value: "P", help: "Answer this share (0-1) of requests with 500, 502 or 503."),
            OptionSpec("--reset-rate", value: "P", help: "Close this share (0-1) of connections without an answer."),
            OptionSpec.flag(
                "--merge-metadata", help: "Merge the metadata of a thread modify into the thread's instead of replacing it."),
            OptionSpec.flag("--refuse-deletes", help: "Answer thread deletes with 200 \"deleted\": false and keep the thread."),
            OptionSpec.flag(
                "--forbid", help: "Answer every thread call with the right key 403, as for an account out of credits."),
            OptionSpec(
                "--api-key-file", value: "FILE",
                help:
                    "Require 'Authorization: Bearer KEY' (else 401), KEY read from FILE; or set $THREADKEEPER_EMULATOR_API_KEY. A key is never an argument, which ps shows."
            ),
            OptionSpec(
                "--state", value: "FILE",
                help: "SQLite file the threads and counters are loaded from at start (instead of --seed) and saved to at stop."),
            OptionSpec("--idle-timeout", value: "SECONDS", help: "Close idle keep-alive connections after this long (default 60)."),
            OptionSpec("--max-body", value: "BYTES", help: "Largest request body accepted (default 1048576); beyond: 413."),
            OptionSpec("--event-loops", value: "N", help: "Threads serving connections (default: one per core, at most 4)."),
        ],
        exitCodes: [
            (.success, "stopped by SIGTERM or SIGINT"),
            (.usage, "bad usage: unknown option, missing or bad value"),
            (.dataError, "a bad --seed-file or --state file, or an empty --api-key-file"),
            (.noInput, "--seed-file or --api-key-file is missing or unreadable"),
            (.ioError, "cannot write --export, --port-file or --state, or cannot listen"),
        ],
        acceptsSharedOptions: false)

    var options: EmulatorOptions
    var portFile: String?
    var apiKeyFile: String?

    init(arguments: ParsedArguments) throws {
        let path = arguments.commandPath
        var options = EmulatorOptions()
        options.host = arguments.value("--host") ?? "127.0.0.1"
        if let port = try arguments.integer("--port", minimum: 0) {
            guard port <= 65535 else { throw UsageError("option '--port' must be at most 65535, got '\(port)'", command: path) }
            options.port = port
        }
        if let flavor = arguments.value("--flavor") {
            guard let value = EmulatorFlavor(rawValue: flavor) else {
                throw UsageError("option '--flavor' expects any, openai or aimlapi, got '\(flavor)'", command: path)
            }
            options.flavor = value
        }
        options.seedCount = try arguments.integer("--seed", minimum: 0) ?? 0
        if let text = arguments.value("--seed-age") {
            do {
                options.seedAge = try TimeSpan.parse(text).seconds
            } catch {
                throw UsageError("option '--seed-age' expects a time span such as '365d' or '12h', got '\(text)'", command: path)
            }
        }
        if let text = arguments.value("--seed-random") {
            guard let value = UInt64(text) else {
                throw UsageError("option '--seed-random' expects a whole number from 0, got '\(text)'", command: path)
            }
            options.seedRandom = value
        }
        options.seedFile = arguments.value("--seed-file")
        options.exportFile = arguments.value("--export")
        var faults = EmulatorFaults()
        if let text = arguments.value("--rps") {
            guard let rate = Double(text), rate > 0, rate.isFinite else {
                throw UsageError("option '--rps' expects a positive number, got '\(text)'", command: path)
            }
            faults.requestsPerSecond = rate
        }
        faults.burst = try arguments.integer("--burst", minimum: 1)
        if faults.burst != nil && faults.requestsPerSecond == nil {
            throw UsageError("option '--burst' needs '--rps'", command: path)
        }
        faults.latencyMilliseconds = try arguments.integer("--latency", minimum: 0) ?? 0
        faults.failRate = try Self.share(arguments, "--fail-rate")
        faults.resetRate = try Self.share(arguments, "--reset-rate")
        faults.mergesMetadata = arguments.flag("--merge-metadata")
        faults.refusesDeletes = arguments.flag("--refuse-deletes")
        faults.forbidsAccess = arguments.flag("--forbid")
        options.faults = faults
        apiKeyFile = arguments.value("--api-key-file")
        options.stateFile = arguments.value("--state")
        if let idle = try arguments.integer("--idle-timeout", minimum: 1) { options.timeouts.idle = Double(idle) }
        if let maxBody = try arguments.integer("--max-body", minimum: 1) { options.limits.maxBodyBytes = maxBody }
        if let loops = try arguments.integer("--event-loops", minimum: 1) {
            guard loops <= 64 else { throw UsageError("option '--event-loops' must be at most 64, got '\(loops)'", command: path) }
            options.eventLoops = loops
        }
        self.options = options
        portFile = arguments.value("--port-file")
    }

    /// The key in `path`, trailing whitespace and newlines dropped.
    private static func readKey(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw CommandFailure(
                "cannot read the key file '\(path)' of --api-key-file; check that it exists and is utf-8 text", exitCode: .noInput)
        }
        let key = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !key.isEmpty else {
            throw CommandFailure("the key file '\(path)' of --api-key-file is empty", exitCode: .dataError)
        }
        return key
    }

    private static func share(_ arguments: ParsedArguments, _ name: String) throws -> Double {
        guard let text = arguments.value(name) else { return 0 }
        guard let value = Double(text), value >= 0, value <= 1 else {
            throw UsageError("option '\(name)' expects a share from 0 to 1 such as 0.05, got '\(text)'", command: arguments.commandPath)
        }
        return value
    }

    func run(_ context: EmulatorContext) async throws -> ExitCode {
        // Caught from here on instead of their default action, so the server can close its sockets and
        // save its state; and a signal sent as soon as the port is announced is not lost.
        let (stops, stop) = AsyncStream.makeStream(of: Int32.self)
        let signals = await SignalSources.install(signals: [SIGTERM, SIGINT]) { stop.yield($0) }
        defer { signals.cancel() }
        var options = options
        if let apiKeyFile {
            options.apiKey = try Self.readKey(apiKeyFile)
        } else if let key = context.environment["THREADKEEPER_EMULATOR_API_KEY"], !key.isEmpty {
            options.apiKey = key
        }
        let server = try await EmulatorServer.start(options)
        if let portFile {
            let temporary = portFile + ".tmp\(getpid())"
            do {
                try "\(server.port)\n".write(toFile: temporary, atomically: false, encoding: .utf8)
                guard rename(temporary, portFile) == 0 else { throw CocoaError(.fileWriteUnknown) }
            } catch {
                await server.stop()
                throw CommandFailure(
                    "cannot write the port file '\(portFile)': check the directory exists and is writable", exitCode: .ioError)
            }
        }
        if !APIConfiguration.isLoopback(host: options.host) {
            // The emulator has no TLS and accepts any key without --api-key-file: fine on loopback only.
            context.warn(
                "warning: listening on '\(options.host)', which is not loopback: anyone who can reach it can read and delete its threads; use --host 127.0.0.1 unless this is a test network"
            )
        }
        context.print("listening on \(server.baseURL)")
        context.standardError.flush()
        context.standardOutput.flush()
        var stopRequests = stops.makeAsyncIterator()
        _ = await stopRequests.next()
        await server.stop()
        try await server.saveState()
        return .success
    }
}
