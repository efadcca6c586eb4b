import Executor
import Foundation
import HTTPHelper
import JSON
import ThreadsAPI

/// `threadkeeper-bench client`: the client's limiter against the emulator's.
///
/// Starts `threadkeeper-emulator --latency 20 --rps 200` as a child process (so the CPU time
/// measured here is the client's alone), seeds 5,000 threads, deletes them all through one
/// client configured at 200/s, then repeats with the client configured at 1,000/s. Prints
/// the achieved rate as a fraction of the server's 200/s, the 429s the server answered,
/// the busiest second it saw, and the client's CPU time per request. Then the 200/s run
/// again with URLSession in this process instead of the `threadkeeper-http` helper, for the
/// helper's cost side by side.
enum ClientBenchmark {
    /// Which transport carries the requests.
    enum Carrier: String {
        case helper = "the threadkeeper-http helper (the default)"
        case inProcess = "URLSession in this process"
    }

    struct Figures {
        var carrier: Carrier
        var helperCPUSeconds: Double?
        var configuredRate: Double
        var deletes: Int
        var seconds: Double
        var requests: Int
        var rejected: Int
        var peakPerSecond: Int
        var cpuSeconds: Double
        var outcomes: [DeleteOutcome: Int]
        var rateAtEnd: Double
    }

    static let serverRate = 200.0

    static func run(_ arguments: [String]) async throws {
        let count = arguments.first.flatMap(Int.init) ?? 5000
        let bin = ProcessInfo.processInfo.environment["THREADKEEPER_BIN"] ?? Self.siblingDirectory()
        let reuse = ProcessInfo.processInfo.environment["BENCH_REUSE"] == "1"
        print(
            "client: \(count) deletes each run; emulator --latency 20 --rps \(Int(serverRate)) (burst = rate); "
                + (reuse ? "connections kept alive (BENCH_REUSE=1)" : "a connection per request (the default)"))
        var first: Figures?
        for (configured, carrier) in [(200.0, Carrier.helper), (1000.0, .helper), (200.0, .inProcess)] {
            let figures = try await measure(configuredRate: configured, count: count, bin: bin, carrier: carrier)
            report(figures)
            if first == nil { first = figures }
            if carrier == .inProcess, let first {
                let rate = { (figures: Figures) in Double(figures.deletes) / figures.seconds }
                let cpu = { (figures: Figures) in figures.cpuSeconds + (figures.helperCPUSeconds ?? 0) }
                print("")
                print(
                    "helper against in-process at 200/s: rate ratio \(String(format: "%.3f", rate(first) / rate(figures))), "
                        + "CPU ratio (both processes against one) \(String(format: "%.2f", cpu(first) / max(cpu(figures), 1e-9)))")
            }
        }
    }

    static func measure(configuredRate: Double, count: Int, bin: String, carrier: Carrier) async throws -> Figures {
        let work = NSTemporaryDirectory() + "/threadkeeper-bench-client-\(getpid())-\(Int(configuredRate))"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let emulator = Process()
        emulator.executableURL = URL(fileURLWithPath: bin + "/threadkeeper-emulator")
        emulator.arguments = [
            "--port", "0", "--port-file", work + "/port", "--seed", String(count), "--seed-random", "7",
            "--export", work + "/threads.jsonl", "--rps", String(Int(serverRate)), "--latency", "20",
        ]
        emulator.standardOutput = FileHandle.nullDevice
        try emulator.run()
        defer {
            kill(emulator.processIdentifier, SIGTERM)
            emulator.waitUntilExit()
        }
        let port = try await waitForPort(work + "/port", emulator: emulator)
        let ids = try String(contentsOfFile: work + "/threads.jsonl", encoding: .utf8).split(separator: "\n").compactMap {
            line -> String? in
            (try? JSONParser.parse(String(line)))?["id"]?.stringValue
        }
        guard ids.count == count else { throw BenchmarkError("the emulator exported \(ids.count) threads, not \(count)") }
        let baseURL = "http://127.0.0.1:\(port)"
        // Let the server's bucket fill after seeding, as a long-idle account's would be.
        try await Task.sleep(for: .seconds(1.1))

        let configuration = APIConfiguration(
            provider: .custom, baseURL: baseURL, requestsPerSecond: configuredRate, concurrency: 16)
        // BENCH_REUSE=1 keeps connections alive (libcurl may then re-send hidden retries).
        let reuse = ProcessInfo.processInfo.environment["BENCH_REUSE"] == "1"
        let helper = HelperTransport(
            executable: bin + "/" + HelperTransport.executableName, maximumConnections: 16, reuseConnections: reuse)
        let transport: any HTTPTransport =
            carrier == .helper ? helper : URLSessionTransport(maximumConnections: 16, reuseConnections: reuse)
        let client = try ThreadsClient(configuration: configuration, key: APIKey("sk-bench-not-secret"), transport: transport)
        let cpuBefore = cpuSeconds()
        let started = ContinuousClock.now
        let outcomes = try await withThrowingTaskGroup(of: DeleteOutcome.self) { group in
            for id in ids { group.addTask { try await client.deleteThread(id).value } }
            var outcomes: [DeleteOutcome: Int] = [:]
            for try await outcome in group { outcomes[outcome, default: 0] += 1 }
            return outcomes
        }
        let elapsed = ContinuousClock.now - started
        let cpu = cpuSeconds() - cpuBefore
        let helperCPU = helper.helperProcessID.flatMap(processCPUSeconds)
        let stats = try await fetchStats(baseURL)
        let requests = stats["requests"]
        let byStatus = requests?["by_status"]
        func number(_ value: JSONValue?) -> Int { value?.int64Value.map(Int.init) ?? 0 }
        return Figures(
            carrier: carrier, helperCPUSeconds: helperCPU, configuredRate: configuredRate, deletes: ids.count,
            seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18,
            requests: number(requests?["total"]), rejected: number(byStatus?["429"]),
            peakPerSecond: number(requests?["peak_per_second"]), cpuSeconds: cpu, outcomes: outcomes,
            rateAtEnd: await client.limiter.currentRate().rate)
    }

    static func report(_ figures: Figures) {
        let achieved = Double(figures.deletes) / figures.seconds
        let share = figures.requests > 0 ? Double(figures.rejected) / Double(figures.requests) : 0
        func format(_ value: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", value) }
        let target = figures.configuredRate <= serverRate ? 0.95 : 0.85
        print("")
        print(
            "client configured at \(Int(figures.configuredRate))/s against the server's \(Int(serverRate))/s, through \(figures.carrier.rawValue):"
        )
        print(
            "  deletes:            \(figures.deletes) (deleted \(figures.outcomes[.deleted] ?? 0), gone \(figures.outcomes[.gone] ?? 0)) in \(format(figures.seconds, 2)) s"
        )
        print(
            "  achieved rate:      \(format(achieved, 1))/s = \(format(achieved / serverRate, 3)) of \(Int(serverRate)) (target >= \(target))"
        )
        if figures.configuredRate <= serverRate {
            print("  429 answers:        \(figures.rejected) of \(figures.requests) requests (target 0)")
        } else {
            print("  429 answers:        \(figures.rejected) of \(figures.requests) requests = \(format(share * 100, 2))% (target < 2%)")
        }
        print("  busiest second:     \(figures.peakPerSecond) requests at the server")
        print("  client rate at end: \(format(figures.rateAtEnd, 1))/s")
        print(
            "  client CPU time:    \(format(figures.cpuSeconds, 2)) s = \(format(figures.cpuSeconds / Double(max(1, figures.requests)) * 1e6, 0)) µs per request"
        )
        if let helper = figures.helperCPUSeconds {
            print(
                "  helper CPU time:    \(format(helper, 2)) s = \(format(helper / Double(max(1, figures.requests)) * 1e6, 0)) µs per request"
            )
        }
    }

    /// User and system time of a running process: fields 14 and 15 of /proc/PID/stat, in ticks.
    static func processCPUSeconds(_ pid: pid_t) -> Double? {
        guard let fields = ProcessIdentity.statFields(of: pid), fields.count > 12, let user = Double(fields[11]),
            let system = Double(fields[12])
        else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    static func waitForPort(_ path: String, emulator: Process) async throws -> Int {
        for _ in 0..<600 {
            if let text = try? String(contentsOfFile: path, encoding: .utf8),
                let port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
            {
                return port
            }
            guard emulator.isRunning else { throw BenchmarkError("the emulator exited with status \(emulator.terminationStatus)") }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw BenchmarkError("the emulator did not write its port within 30 s")
    }

    static func fetchStats(_ baseURL: String) async throws -> JSONValue {
        let transport = URLSessionTransport()
        let response = try await transport.send(HTTPRequest(method: "GET", url: URL(string: baseURL + "/_emulator/stats")!))
        return try JSONParser.parse(response.body)
    }

    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    static func siblingDirectory() -> String {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return (exe as NSString).deletingLastPathComponent
    }
}

struct BenchmarkError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
