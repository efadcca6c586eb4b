import Foundation
import Ledger

/// `threadkeeper-bench ledger-count LEDGER [RUNS]`: times a metadata-filtered count.
///
/// The query is what a rule `Metadata=tag=support` + `OlderThan=30d` compiles to: live
/// threads created more than 30 days ago whose metadata has tag=support. Prints the
/// count and the fastest, median and slowest of RUNS runs (default 5) in milliseconds,
/// wall clock and CPU (on a loaded machine the wall clock mostly measures the others).
enum LedgerCountBenchmark {
    static func run(_ arguments: [String]) throws {
        guard let path = arguments.first else {
            throw CommandLineError("usage: threadkeeper-bench ledger-count LEDGER [RUNS]")
        }
        let runs = arguments.count > 1 ? max(1, Int(arguments[1]) ?? 5) : 5
        let ledger = try Ledger(path: path, readOnly: true)
        let cutoff = Int64(Date().timeIntervalSince1970) - 30 * 86_400
        let query = InventoryQuery.state(.live).and(.createdBefore(cutoff))
            .and(.metadata("tag", glob: "support"))
        var timings: [Double] = []
        var cpu: [Double] = []
        var count = 0
        for _ in 0..<runs {
            let start = DispatchTime.now().uptimeNanoseconds
            let cpuStart = processCPUMilliseconds()
            count = try ledger.count(matching: query)
            cpu.append(processCPUMilliseconds() - cpuStart)
            timings.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1_000_000)
        }
        timings.sort()
        cpu.sort()
        let format = { (value: Double) in String(format: "%.1f", value) }
        print(
            "ledger-count: \(count) threads match tag=support, created_at older than 30 days, live; "
                + "wall \(format(timings[0])) ms fastest, \(format(timings[timings.count / 2])) ms median, "
                + "\(format(timings[timings.count - 1])) ms slowest of \(runs); "
                + "CPU \(format(cpu[0])) ms fastest, \(format(cpu[cpu.count / 2])) ms median")
    }

    /// CPU time this process has used, user and system, in milliseconds.
    static func processCPUMilliseconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
        return Double(time.tv_sec) * 1000 + Double(time.tv_nsec) / 1_000_000
    }

    struct CommandLineError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}
