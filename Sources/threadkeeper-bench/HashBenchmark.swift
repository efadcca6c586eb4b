import Ledger

/// `threadkeeper-bench hash [COUNT]`: SHA-256 as the hash chain uses it, one 64-hex digest of
/// a chain line (about 160 bytes) at a time, and over one large buffer.
enum HashBenchmark {
    static func run(_ arguments: [String]) throws {
        let count = arguments.first.flatMap { Int($0) } ?? 1_000_000
        let zeros = String(repeating: "0", count: 64)
        let lines = (0..<count).map {
            Array("threadkeeper-chain-v1|\(zeros)|\($0)|outcome|98765|6f6b|200|req_abcdefghijklmnop|1||2026-12-06T02:00:00Z".utf8)
        }
        var digits = 0
        let chain = RulesBenchmark.milliseconds { for line in lines { digits &+= SHA256.hex(of: line).utf8.count } }
        precondition(digits == 64 * count)
        let megabytes = 64
        let block = [UInt8](repeating: 0x61, count: 1 << 20)
        var hasher = SHA256()
        let bulk = RulesBenchmark.milliseconds {
            for _ in 0..<megabytes { hasher.update(block) }
            _ = hasher.hexDigest()
        }
        print(
            "hash: \(count) chain lines of \(lines[0].count) B in \(Int(chain)) ms = \(Int(Double(count) / chain * 1000)) hashes/s "
                + "(\(Double(Int(chain / Double(count) * 100_000)) / 100) µs each); \(megabytes) MiB in \(Int(bulk)) ms = "
                + "\(Int(Double(megabytes) / bulk * 1000)) MiB/s")
    }
}
