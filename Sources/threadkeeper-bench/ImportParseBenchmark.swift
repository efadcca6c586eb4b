import Foundation
import Ledger

/// `threadkeeper-bench import-parse FILE`: times reading and parsing an import file alone,
/// with no ledger, so the import's own figures can be split into parsing and SQLite.
///
/// Prints the threads read, bad lines, the seconds, the rate, and the bytes of metadata
/// JSON the ledger would store.
enum ImportParseBenchmark {
    static func run(_ arguments: [String]) throws {
        guard let path = arguments.first else {
            throw LedgerCountBenchmark.CommandLineError("usage: threadkeeper-bench import-parse FILE")
        }
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw LedgerCountBenchmark.CommandLineError("cannot open '\(path)': \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        let reader = ImportReader(descriptor: descriptor, path: path)
        var threads = 0
        var bad = 0
        var bytes = 0
        let start = DispatchTime.now().uptimeNanoseconds
        try reader.read(
            onThread: { record in
                threads += 1
                bytes += record.metadataJSON?.utf8.count ?? 0
            },
            onBad: { _, _ in bad += 1 })
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        print(
            "import-parse: \(threads) threads, \(bad) bad lines, \(String(format: "%.2f", seconds)) s, "
                + "\(Int(Double(threads) / max(seconds, 1e-9))) threads/s (metadata JSON \(bytes) bytes)")
    }
}
