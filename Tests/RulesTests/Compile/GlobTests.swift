import Emulator
import Ledger
import SQLite
import TestSupport
import Testing

@testable import Rules

/// `Glob` against SQLite's own GLOB operator, on hand-picked and random cases.
struct GlobTests {
    static func sqliteGlob(_ database: SQLiteDatabase, _ pattern: String, _ text: String) throws -> Bool {
        // `X GLOB Y` is glob(Y, X): Y is the pattern.
        try database.scalar("SELECT ? GLOB ?", [.text(text), .text(pattern)])?.integerValue == 1
    }

    static let cases: [(String, String, Bool)] = [
        ("support", "support", true), ("support", "Support", false), ("sup*", "support", true),
        ("*port", "support", true), ("s?pport", "support", true), ("s?pport", "spport", false),
        ("*", "", true), ("?", "", false), ("", "", true), ("", "x", false), ("a*b*c", "aXbYc", true),
        ("a*b*c", "aXbY", false), ("[abc]x", "bx", true), ("[^abc]x", "bx", false), ("[^abc]x", "dx", true),
        ("[a-c]", "b", true), ("[a-c]", "d", false), ("[]]", "]", true), ("[]a]", "a", true), ("[^]]", "]", false),
        ("[a-]", "-", true), ("[-a]", "-", true), ("[z-a]", "m", false), ("[a-c-e]", "-", true), ("[a-c-e]", "d", false),
        ("[abc", "a", false), ("*[abc", "xa", false), ("*[b]", "ab", true), ("*[b]*", "abc", true), ("**?", "", false),
        ("*?", "x", true), ("*?*?", "x", false), ("é*", "étoile", true), ("?", "é", true), ("??", "e\u{301}", true),
        ("*.*", "a.b", true), ("\\*", "\\x", true), ("gold", "gold\u{0}rest", true), ("gold*", "gold\u{0}", true),
    ]

    @Test(arguments: cases)
    func handPicked(pattern: String, text: String, expected: Bool) throws {
        let database = try SQLiteDatabase(path: ":memory:")
        #expect(Glob(pattern).matches(text) == expected, "\(pattern) vs \(text)")
        #expect(try Self.sqliteGlob(database, pattern, text) == expected, "sqlite: \(pattern) vs \(text)")
    }

    @Test func randomPatternsAgreeWithSQLite() throws {
        let database = try SQLiteDatabase(path: ":memory:")
        var random = SplitMix64(seed: 0x676C_6F62)
        let patternAlphabet: [String] = ["a", "b", "c", "-", "*", "?", "[", "]", "^", "é", "z"]
        let textAlphabet: [String] = ["a", "b", "c", "-", "]", "^", "é", "z", "["]
        var disagreements: [String] = []
        for _ in 0..<4000 {
            let pattern = (0..<Int.random(in: 0...7, using: &random)).map { _ in patternAlphabet.randomElement(using: &random)! }.joined()
            let text = (0..<Int.random(in: 0...6, using: &random)).map { _ in textAlphabet.randomElement(using: &random)! }.joined()
            if Glob(pattern).matches(text) != (try Self.sqliteGlob(database, pattern, text)) {
                disagreements.append("\(pattern) vs \(text)")
            }
        }
        #expect(disagreements.isEmpty)
    }

    /// Patterns that take a backtracking matcher exponential time: each has many stars and a
    /// tail that fails (or succeeds) only at the very end of a long value.
    static let pathological: [(String, String, Bool)] = [
        ("*a*a*a*a*b", String(repeating: "a", count: 200), false),
        ("*a*a*a*a*a", String(repeating: "a", count: 200), true),
        ("a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", String(repeating: "a", count: 512), false),
        ("*?*?*?*?*?*?*?*?*?*?*x", String(repeating: "ab", count: 256), false),
        ("*[ab]*[ab]*[ab]*[ab]*[ab]*c", String(repeating: "ab", count: 100), false),
        ("*[^c]*[^c]*[^c]*[^c]*[^c]*c", String(repeating: "ab", count: 100) + "c", true),
        (String(repeating: "*a", count: 40) + "*b", String(repeating: "a", count: 512), false),
        (String(repeating: "*a", count: 40) + "*", String(repeating: "a", count: 512), true),
        ("*ab*ab*ab*ab*abc", String(repeating: "ab", count: 256) + "abc", true),
        ("*ab*ab*ab*ab*abc", String(repeating: "ab", count: 256) + "abd", false),
    ]

    /// The answers of a linear matcher on inputs a backtracking one never finishes (five stars
    /// against 200 characters took more than 30 s before): the same as SQLite's.
    @Test(arguments: pathological)
    func pathologicalPatterns(pattern: String, text: String, expected: Bool) throws {
        let database = try SQLiteDatabase(path: ":memory:")
        #expect(Glob(pattern).matches(text) == expected, "\(pattern) vs \(text.count) characters")
        #expect(try Self.sqliteGlob(database, pattern, text) == expected, "sqlite: \(pattern)")
    }

    /// Longer random patterns with more stars over a small alphabet, where the greedy fallback
    /// to the last star is most often exercised, against SQLite.
    @Test func randomStarPatternsAgreeWithSQLite() throws {
        let database = try SQLiteDatabase(path: ":memory:")
        var random = SplitMix64(seed: 0x7374_6172)
        let patternAlphabet: [String] = ["a", "b", "*", "*", "?", "[ab]", "[^a]", "[]a]", "[b-a]", "]"]
        let textAlphabet: [String] = ["a", "b", "]", "-"]
        var disagreements: [String] = []
        for _ in 0..<4000 {
            let pattern = (0..<Int.random(in: 0...12, using: &random)).map { _ in patternAlphabet.randomElement(using: &random)! }.joined()
            let text = (0..<Int.random(in: 0...24, using: &random)).map { _ in textAlphabet.randomElement(using: &random)! }.joined()
            if Glob(pattern).matches(text) != (try Self.sqliteGlob(database, pattern, text)) {
                disagreements.append("\(pattern) vs \(text)")
            }
        }
        #expect(disagreements.isEmpty)
    }

    @Test func literalAndUnterminated() {
        #expect(Glob("support").isLiteral)
        #expect(!Glob("sup*").isLiteral)
        #expect(Glob("a[b").unterminatedSetOffset == 1)
        #expect(Glob("a[]b").unterminatedSetOffset == 1)
        #expect(Glob("a[]]b").unterminatedSetOffset == nil)
        #expect(Glob("[^]x]").unterminatedSetOffset == nil)
    }
}
