import Foundation
import Ledger
import Rules

/// `threadkeeper-bench rules [--threads N] [--ledger PATH] [--files N]`.
///
/// Parses N rule files (default 1,000) from a directory, then builds (or reuses) a ledger of
/// `--threads` threads (default 1,000,000) through the ledger's import API and times one
/// rule's query over it: the count a run's MaxFraction guard needs, and the first
/// MaxThreads page a run streams, oldest first.
enum RulesBenchmark {
    static let rule = """
        [Rule]
        Description=Delete support threads older than 30 days, except legal holds
        Schedule=*-*-* 03:00:00 UTC
        Action=delete

        [Match]
        OlderThan=30d
        Metadata=tag=support
        Metadata=!legal_hold

        [Action]
        Archive=yes
        Verify=always

        [Limits]
        MaxThreads=5000
        MaxFraction=25%
        """

    static func option(_ arguments: [String], _ name: String) -> String? {
        guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
        return arguments[index + 1]
    }

    static func seconds(since start: UInt64) -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }

    /// CPU time of this process (user + system) in milliseconds: on a shared machine the wall
    /// clock also counts time spent waiting for a core.
    static func cpuMilliseconds() -> Double {
        var usage = rusage()
        getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
        let user = Double(usage.ru_utime.tv_sec) * 1000 + Double(usage.ru_utime.tv_usec) / 1000
        let system = Double(usage.ru_stime.tv_sec) * 1000 + Double(usage.ru_stime.tv_usec) / 1000
        return user + system
    }

    /// Wall-clock milliseconds of `body`.
    static func milliseconds(_ body: () throws -> Void) rethrows -> Double {
        try timed(body).wall
    }

    static func timed(_ body: () throws -> Void) rethrows -> (wall: Double, cpu: Double) {
        let cpu = cpuMilliseconds()
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return (seconds(since: start) * 1000, cpuMilliseconds() - cpu)
    }

    static func run(_ arguments: [String]) throws {
        let files = option(arguments, "--files").flatMap(Int.init) ?? 1000
        let threads = option(arguments, "--threads").flatMap(Int.init) ?? 1_000_000
        let ledgerPath = option(arguments, "--ledger") ?? NSTemporaryDirectory() + "/threadkeeper-bench-rules-\(threads).sqlite3"
        try parseFiles(files)
        try query(threads: threads, ledgerPath: ledgerPath)
    }

    static func parseFiles(_ count: Int) throws {
        let directory = NSTemporaryDirectory() + "/threadkeeper-bench-rules-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for index in 0..<count {
            let text = rule.replacingOccurrences(of: "OlderThan=30d", with: "OlderThan=\(30 + index % 300)d")
                .replacingOccurrences(of: "tag=support", with: "tag=team-\(index % 50)*")
            try text.write(toFile: "\(directory)/rule-\(index).rule", atomically: false, encoding: .utf8)
        }
        var loaded = 0
        var findings = 0
        let elapsed = milliseconds {
            let (rules, diagnostics) = RuleSet.load(directory: directory)
            loaded = rules.count
            findings = diagnostics.count
        }
        print(
            "rules: loaded \(loaded) of \(count) rule files (\(findings) findings) in \(String(format: "%.1f", elapsed)) ms, "
                + "\(String(format: "%.0f", Double(count) / elapsed * 1000)) files/s")
    }

    static func buildLedger(_ ledger: Ledger, threads: Int, now: Int64) throws {
        let start = DispatchTime.now().uptimeNanoseconds
        var generator = SystemRandomNumberGenerator()
        let tags = ["support", "sales", "billing", "onboarding"]
        _ = try ledger.importThreads(batchSize: 50_000) { emit in
            for index in 0..<threads {
                var metadata = ["tag": tags[index % tags.count], "tenant": "tenant-\(index % 97)"]
                if index % 100 == 7 { metadata["legal_hold"] = "case-\(index % 13)" }
                let age = Int64.random(in: 0..<(730 * 86_400), using: &generator)
                try emit(ThreadImport(id: String(format: "thread_%024d", index), createdAt: now - age, metadata: metadata))
            }
        }
        print("rules: built a ledger of \(threads) threads in \(String(format: "%.1f", seconds(since: start))) s")
    }

    static func query(threads: Int, ledgerPath: String) throws {
        let now = Int64(Date().timeIntervalSince1970)
        let exists = FileManager.default.fileExists(atPath: ledgerPath)
        let ledger = try Ledger(path: ledgerPath)
        let existing = exists ? try ledger.count() : 0
        if existing != threads {
            if exists { try ledger.execute("DELETE FROM threads") }
            try buildLedger(ledger, threads: threads, now: now)
        } else {
            print("rules: reusing \(ledgerPath) (\(threads) threads)")
        }
        let (parsed, _) = Rule.parse(text: rule, file: "support-30d.rule", now: now)
        guard let compiled = parsed?.compile(now: now) else { preconditionFailure("the benchmark rule must parse") }
        let query = compiled.query
        var count = 0
        var counts: [(wall: Double, cpu: Double)] = []
        var pages: [(wall: Double, cpu: Double)] = []
        var page = 0
        for _ in 0..<5 {
            counts.append(try timed { count = try ledger.count(matching: query) })
            pages.append(
                try timed {
                    page = 0
                    try ledger.forEachThread(matching: query, limit: 5000) { _ in page += 1 }
                })
        }
        var streamed = 0
        let all = try timed { try ledger.forEachThread(matching: query) { _ in streamed += 1 } }
        func median(_ values: [(wall: Double, cpu: Double)]) -> String {
            let wall = values.map(\.wall).sorted()[values.count / 2]
            let cpu = values.map(\.cpu).sorted()[values.count / 2]
            return String(format: "median %.1f ms wall, %.1f ms cpu", wall, cpu)
        }
        print("rules: query `\(query.sql)`")
        print("rules: count of matches (\(count) of \(threads)): \(median(counts)) over 5 runs (target < 200 ms)")
        print("rules: first MaxThreads page (\(page) threads, oldest first): \(median(pages)) over 5 runs")
        print(
            "rules: streaming every match (\(streamed) threads): "
                + String(format: "%.1f ms wall, %.1f ms cpu", all.wall, all.cpu))
    }
}
