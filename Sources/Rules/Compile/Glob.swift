/// SQLite's GLOB operator, reimplemented so the in-memory predicate agrees with the ledger query.
///
/// Rules match metadata with GLOB in SQL (`m.value GLOB ?`), so the predicate used on fresh
/// metadata must give the same answer for every pattern and value. The language is that of
/// `patternCompare()` in SQLite's func.c: `*` matches any run of characters, `?` exactly one,
/// `[...]` one character from a set (`[^...]` inverts it, `a-z` is a range, a `]` first in the
/// set is literal, a `-` first or last is literal, an unterminated set matches nothing).
/// Matching is case-sensitive and by Unicode code point. SQLite reads both sides as
/// NUL-terminated C strings, so text after a NUL is ignored here as well.
///
/// The pattern is read once into tokens, and matching keeps only the last `*` to fall back on:
/// between two stars the earliest place the text matches is always the best one, so no
/// earlier star ever needs to move again. That bounds a match by pattern length times text
/// length, where trying every split for every star (as a plain recursion does) is exponential
/// in the number of stars. SQLite gets the same bound from its `SQLITE_NOWILDCARDMATCH` answer,
/// which stops the outer stars as soon as an inner one has tried every position.
public struct Glob: Sendable, Hashable, CustomStringConvertible {
    public let pattern: String
    /// The pattern read up to its first NUL; nil when a `[` is never closed.
    private let tokens: [Token]?
    /// The scalar offset of an unterminated `[`.
    private let openSet: Int?

    public init(_ pattern: String) {
        self.pattern = pattern
        (tokens, openSet) = Self.tokenize(Self.truncatedAtNUL(pattern))
    }

    public var description: String { pattern }

    /// Whether the pattern contains no wildcard, so it matches only its own text.
    public var isLiteral: Bool {
        guard let tokens else { return false }
        return tokens.allSatisfy { if case .literal = $0 { true } else { false } }
    }

    /// Where an unterminated `[` starts, if any: such a pattern never matches anything.
    public var unterminatedSetOffset: Int? { openSet }

    public func matches(_ text: String) -> Bool {
        guard let tokens else { return false }
        return Self.match(tokens, Self.truncatedAtNUL(text))
    }

    /// One step of a pattern.
    private enum Token: Sendable, Hashable {
        case literal(Unicode.Scalar)
        /// `?`
        case one
        /// `*`
        case any
        case set(ScalarSet)
    }

    /// A `[...]` set: single scalars and ranges, possibly inverted.
    private struct ScalarSet: Sendable, Hashable {
        var inverted = false
        /// Inclusive code-point ranges; a single scalar is a range of one. A range written
        /// high to low (`[z-a]`) is kept and matches nothing, as in SQLite.
        var ranges: [(low: UInt32, high: UInt32)] = []

        func contains(_ scalar: Unicode.Scalar) -> Bool {
            let value = scalar.value
            return ranges.contains { value >= $0.low && value <= $0.high } != inverted
        }

        static func == (a: ScalarSet, b: ScalarSet) -> Bool {
            a.inverted == b.inverted && a.ranges.elementsEqual(b.ranges) { $0.low == $1.low && $0.high == $1.high }
        }

        func hash(into hasher: inout Hasher) {
            hasher.combine(inverted)
            for range in ranges {
                hasher.combine(range.low)
                hasher.combine(range.high)
            }
        }
    }

    private static func truncatedAtNUL(_ text: String) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        for scalar in text.unicodeScalars {
            if scalar.value == 0 { break }
            out.append(scalar)
        }
        return out
    }

    /// Reads the pattern as `patternCompare()` does; an unterminated set ends it (nil tokens).
    private static func tokenize(_ scalars: [Unicode.Scalar]) -> ([Token]?, Int?) {
        var tokens: [Token] = []
        var index = 0
        while index < scalars.count {
            let c = scalars[index]
            index += 1
            switch c {
            case "*": tokens.append(.any)
            case "?": tokens.append(.one)
            case "[":
                let start = index - 1
                var set = ScalarSet()
                if index < scalars.count && scalars[index] == "^" {
                    set.inverted = true
                    index += 1
                }
                // A `]` first is a member; it does not start a range (SQLite leaves prior_c 0).
                if index < scalars.count && scalars[index] == "]" {
                    set.ranges.append((low: 93, high: 93))
                    index += 1
                }
                var prior: UInt32 = 0
                while index < scalars.count && scalars[index] != "]" {
                    let c2 = scalars[index]
                    if c2 == "-", index + 1 < scalars.count, scalars[index + 1] != "]", prior > 0 {
                        set.ranges.append((low: prior, high: scalars[index + 1].value))
                        prior = 0
                        index += 2
                        continue
                    }
                    set.ranges.append((low: c2.value, high: c2.value))
                    prior = c2.value
                    index += 1
                }
                guard index < scalars.count else { return (nil, start) }
                index += 1
                tokens.append(.set(set))
            default: tokens.append(.literal(c))
            }
        }
        return (tokens, nil)
    }

    /// Greedy matching with one fallback: the last `*` seen and where its run ends.
    ///
    /// When a step fails, the last star takes one more character and matching resumes after
    /// it; the text the pattern before that star consumed stays as it was. Each fallback moves
    /// the star's end one step right, so there are at most `text.count` of them per star, each
    /// followed by at most `tokens.count` steps.
    private static func match(_ tokens: [Token], _ text: [Unicode.Scalar]) -> Bool {
        var p = 0
        var s = 0
        var star: (token: Int, end: Int)?
        while s < text.count {
            if p < tokens.count {
                switch tokens[p] {
                case .any:
                    star = (p, s)
                    p += 1
                    continue
                case .one:
                    p += 1
                    s += 1
                    continue
                case .literal(let c) where c == text[s]:
                    p += 1
                    s += 1
                    continue
                case .set(let set) where set.contains(text[s]):
                    p += 1
                    s += 1
                    continue
                default: break
                }
            }
            guard let last = star else { return false }
            star = (last.token, last.end + 1)
            p = last.token + 1
            s = last.end + 1
        }
        while p < tokens.count, case .any = tokens[p] { p += 1 }
        return p == tokens.count
    }
}
