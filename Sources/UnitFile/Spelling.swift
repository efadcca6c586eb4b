/// Did-you-mean hints for misspelt section names, keys and values.
public enum Spelling {
    /// The candidate within a small edit distance of `word` (case-insensitively), or nil.
    ///
    /// A difference only in case always counts as near, so `olderthan` suggests `OlderThan`.
    public static func nearest(to word: String, among candidates: [String]) -> String? {
        let limit = max(2, word.count / 3)
        var best: (String, Int)?
        for candidate in candidates {
            let distance = editDistance(Array(word.lowercased()), Array(candidate.lowercased()))
            if distance <= limit, distance < (best?.1 ?? Int.max) { best = (candidate, distance) }
        }
        return best?.0
    }

    /// "; did you mean `X`?" when one candidate is near, else "; valid X are: A, B, C".
    public static func hint(
        for word: String, among candidates: [String], kind: String, quote: (String) -> String = { "`\($0)`" },
        listed: (String) -> String = { $0 }
    ) -> String {
        if let near = nearest(to: word, among: candidates) { return "; did you mean \(quote(near))?" }
        return "; valid \(kind) are: " + candidates.map(listed).joined(separator: ", ")
    }

    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
