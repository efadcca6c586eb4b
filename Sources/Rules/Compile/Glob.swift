/// SQLite's GLOB operator, reimplemented so the in-memory predicate agrees with the ledger query.
///
/// Rules match metadata with GLOB in SQL (`m.value GLOB ?`), so the predicate used on fresh
/// metadata must give the same answer for every pattern and value. This follows
/// `patternCompare()` in SQLite's func.c: `*` matches any run of characters, `?` exactly one,
/// `[...]` one character from a set (`[^...]` inverts it, `a-z` is a range, a `]` first in the
/// set is literal, a `-` first or last is literal, an unterminated set matches nothing).
/// Matching is case-sensitive and by Unicode code point. SQLite reads both sides as
/// NUL-terminated C strings, so text after a NUL is ignored here as well.
public struct Glob: Sendable, Hashable, CustomStringConvertible {
    public let pattern: String
    private let scalars: [Unicode.Scalar]

    public init(_ pattern: String) {
        self.pattern = pattern
        self.scalars = Self.truncatedAtNUL(pattern)
    }

    public var description: String { pattern }

    /// Whether the pattern contains no wildcard, so it matches only its own text.
    public var isLiteral: Bool { !scalars.contains { $0 == "*" || $0 == "?" || $0 == "[" } }

    /// Where an unterminated `[` starts, if any: such a pattern never matches anything.
    public var unterminatedSetOffset: Int? {
        var index = 0
        while index < scalars.count {
            if scalars[index] == "[" {
                let start = index
                index += 1
                if index < scalars.count && scalars[index] == "^" { index += 1 }
                if index < scalars.count && scalars[index] == "]" { index += 1 }
                while index < scalars.count && scalars[index] != "]" { index += 1 }
                if index >= scalars.count { return start }
            }
            index += 1
        }
        return nil
    }

    public func matches(_ text: String) -> Bool {
        let string = Self.truncatedAtNUL(text)
        return Self.match(scalars[...], string[...])
    }

    private static func truncatedAtNUL(_ text: String) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        for scalar in text.unicodeScalars {
            if scalar.value == 0 { break }
            out.append(scalar)
        }
        return out
    }

    private static func match(_ pattern: ArraySlice<Unicode.Scalar>, _ string: ArraySlice<Unicode.Scalar>) -> Bool {
        var p = pattern.startIndex
        var s = string.startIndex
        while p < pattern.endIndex {
            let c = pattern[p]
            if c == "*" {
                // A run of `*` and `?`: each `?` consumes one character.
                while p < pattern.endIndex && (pattern[p] == "*" || pattern[p] == "?") {
                    if pattern[p] == "?" {
                        if s == string.endIndex { return false }
                        s += 1
                    }
                    p += 1
                }
                if p == pattern.endIndex { return true }
                var start = s
                while true {
                    if match(pattern[p...], string[start...]) { return true }
                    if start == string.endIndex { return false }
                    start += 1
                }
            }
            if c == "[" {
                guard s < string.endIndex else { return false }
                let ch = string[s]
                s += 1
                var q = p + 1
                var invert = false
                var seen = false
                var prior: Unicode.Scalar?
                if q < pattern.endIndex && pattern[q] == "^" {
                    invert = true
                    q += 1
                }
                if q < pattern.endIndex && pattern[q] == "]" {
                    if ch == "]" { seen = true }
                    q += 1
                }
                while q < pattern.endIndex && pattern[q] != "]" {
                    let c2 = pattern[q]
                    if c2 == "-", q + 1 < pattern.endIndex, pattern[q + 1] != "]", let low = prior {
                        let high = pattern[q + 1]
                        if ch.value >= low.value && ch.value <= high.value { seen = true }
                        prior = nil
                        q += 2
                        continue
                    }
                    if ch == c2 { seen = true }
                    prior = c2
                    q += 1
                }
                if q >= pattern.endIndex || seen == invert { return false }
                p = q + 1
                continue
            }
            guard s < string.endIndex else { return false }
            if c != "?" && c != string[s] { return false }
            s += 1
            p += 1
        }
        return s == string.endIndex
    }
}
