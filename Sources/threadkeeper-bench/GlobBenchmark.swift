import Foundation
import Ledger
import Rules
import SQLite

/// `threadkeeper-bench glob`: the in-memory GLOB matcher against SQLite's on patterns that
/// make a backtracking matcher take exponential time.
///
/// Each case is a pattern with many `*` whose tail fails only at the end of a long value
/// (five stars against 200 characters took more than 30 s before the matcher was linear).
enum GlobBenchmark {
    static let cases: [(name: String, pattern: String, text: String)] = [
        ("5 stars, 200 chars", "*a*a*a*a*b", String(repeating: "a", count: 200)),
        ("16 stars, 512 chars", "a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", String(repeating: "a", count: 512)),
        ("40 stars, 512 chars", String(repeating: "*a", count: 40) + "*b", String(repeating: "a", count: 512)),
        ("sets after stars", "*[ab]*[ab]*[ab]*[ab]*[ab]*c", String(repeating: "ab", count: 100)),
    ]

    static func run(_ arguments: [String]) throws {
        let database = try SQLiteDatabase(path: ":memory:")
        let statement = try database.prepare("SELECT ? GLOB ?")
        for (name, pattern, text) in cases {
            let glob = Glob(pattern)
            var ours = false
            var theirs = false
            let repeats = 100
            let matcher = RulesBenchmark.milliseconds { for _ in 0..<repeats { ours = glob.matches(text) } }
            let sqlite = try RulesBenchmark.milliseconds {
                for _ in 0..<repeats {
                    statement.reset()
                    try statement.bind([.text(text), .text(pattern)])
                    _ = try statement.step()
                    theirs = statement.integer(0) == 1
                }
            }
            print(
                "glob: \(name): \(ours) (SQLite \(theirs)), "
                    + String(format: "%.3f ms a match, SQLite %.3f ms", matcher / Double(repeats), sqlite / Double(repeats)))
        }
    }
}
