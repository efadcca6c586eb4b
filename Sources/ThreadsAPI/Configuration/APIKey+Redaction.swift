import Foundation

/// The one place where text a server sent is made safe to keep: every error field, every
/// header value kept, a `Location`, an HTML or text body.
///
/// A server may echo the key whole, cut, or masked the way OpenAI's 401 does
/// (`Incorrect API key provided: sk-proj-****…abcd`), which still shows its prefix and last
/// characters. So the text is redacted before it is cut to length: a cut made first could
/// leave a piece of the key too short to be recognised, or a mask without its `****`.
extension APIKey {
    /// The shortest piece of the key that is redacted wherever it appears.
    static let shortestRedactedPiece = 8

    /// What a redacted stretch of text becomes.
    public static let redactionMark = "[redacted]"

    /// `text` with the key, every piece of it of 8 or more characters, and every masked token
    /// (a word holding `***`, `…`, `...` or `•••`) replaced by `[redacted]`.
    public func redact(_ text: String) -> String {
        let bytes = Array(text.utf8)
        var hidden = [Bool](repeating: false, count: bytes.count)
        markPieces(of: bytes, in: &hidden)
        Self.markMaskedTokens(of: bytes, in: &hidden)
        guard hidden.contains(true) else { return text }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if hidden[index] {
                out += Self.redactionMark.utf8
                while index < bytes.count, hidden[index] { index += 1 }
            } else {
                out.append(bytes[index])
                index += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A server's text as one printable line of at most `limit` characters, redacted first.
    ///
    /// Only the first `limit` characters can be shown, but the redaction looks further (the
    /// key's length and a margin past the cut), so a key or mask straddling the cut is still
    /// recognised whole.
    public func serverText(_ text: String, limit: Int) -> String {
        let window = limit * 4 + value.utf8.count + 64
        let utf8 = text.utf8
        let head = utf8.count > window ? String(decoding: utf8.prefix(window), as: UTF8.self) : text
        return Self.oneLine(redact(head), limit: limit)
    }

    /// The start of a body as text, redacted, one line, at most `limit` characters.
    public func serverText(_ body: Data, limit: Int) -> String {
        let window = limit * 4 + value.utf8.count + 64
        return Self.oneLine(redact(String(decoding: body.prefix(window), as: UTF8.self)), limit: limit)
    }

    /// An `x-request-id` kept only when it looks like one: 1 to 128 characters of letters,
    /// digits and `-_.:`, sharing no piece with the key and masking nothing.
    ///
    /// Anything else is dropped rather than cleaned: a request id is worth keeping only as
    /// the provider wrote it, and it is hash-chained into the ledger and every backup.
    public func requestID(_ header: String?) -> String? {
        guard let header, !header.isEmpty, header.utf8.count <= Self.longestRequestID else { return nil }
        for byte in header.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                UInt8(ascii: ":"):
                continue
            default:
                return nil
            }
        }
        return redact(header) == header ? header : nil
    }

    /// The longest request id kept; OpenAI's are `req_` and 32 hex digits.
    public static let longestRequestID = 128

    /// Marks every byte covered by a piece of the key at least `shortestRedactedPiece` long.
    ///
    /// Every such piece is covered by the key's windows of that length, so marking each
    /// window found in the text marks every piece, in time linear in the text.
    private func markPieces(of bytes: [UInt8], in hidden: inout [Bool]) {
        let key = Array(value.utf8)
        let width = min(Self.shortestRedactedPiece, key.count)
        guard width > 0, bytes.count >= width else { return }
        var windows = Set<ArraySlice<UInt8>>()
        for start in 0...(key.count - width) { windows.insert(key[start..<(start + width)]) }
        for start in 0...(bytes.count - width) where windows.contains(bytes[start..<(start + width)]) {
            for index in start..<(start + width) { hidden[index] = true }
        }
    }

    /// Marks every token (a run of letters, digits and `-_.*•…`) that holds a mask: three or
    /// more `*` or `•` in a row anywhere, or `...` or `…` with more of the token after it
    /// (so a sentence ending in `...` keeps its last word).
    private static func markMaskedTokens(of bytes: [UInt8], in hidden: inout [Bool]) {
        var start = 0
        while start < bytes.count {
            guard tokenCharacter(bytes, at: start) != nil else {
                start += 1
                continue
            }
            var characters: [(TokenCharacter, Int)] = []
            var end = start
            while end < bytes.count, let character = tokenCharacter(bytes, at: end) {
                characters.append(character)
                end += character.1
            }
            if isMasked(characters.map(\.0)) {
                // Dots that end the token end the sentence, not the mask.
                var last = end
                while last > start, bytes[last - 1] == UInt8(ascii: ".") { last -= 1 }
                for index in start..<last { hidden[index] = true }
            }
            start = end
        }
    }

    private enum TokenCharacter { case star, bullet, dot, ellipsis, other }

    private static func isMasked(_ token: [TokenCharacter]) -> Bool {
        var run = 0
        for (index, character) in token.enumerated() {
            run = index > 0 && token[index - 1] == character ? run + 1 : 1
            let more = index < token.count - 1
            switch character {
            case .star where run >= 3, .bullet where run >= 3: return true
            case .dot where run >= 3 && more && token[index + 1] != .dot: return true
            case .ellipsis where more: return true
            default: continue
            }
        }
        return false
    }

    /// The token character at `index` and its width in bytes, nil when none is there.
    private static func tokenCharacter(_ bytes: [UInt8], at index: Int) -> (TokenCharacter, Int)? {
        switch bytes[index] {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "_"):
            return (.other, 1)
        case UInt8(ascii: "*"): return (.star, 1)
        case UInt8(ascii: "."): return (.dot, 1)
        case 0xE2 where index + 2 < bytes.count && bytes[index + 1] == 0x80 && bytes[index + 2] == 0xA6:
            return (.ellipsis, 3)  // U+2026
        case 0xE2 where index + 2 < bytes.count && bytes[index + 1] == 0x80 && bytes[index + 2] == 0xA2:
            return (.bullet, 3)  // U+2022
        default:
            return nil
        }
    }

    /// One line without control characters, cut at `limit` characters.
    static func oneLine(_ text: String, limit: Int) -> String {
        var out = ""
        for character in text {
            if out.count >= limit {
                out += "…"
                break
            }
            out.append(character.isNewline || character.asciiValue.map { $0 < 0x20 || $0 == 0x7F } == true ? " " : character)
        }
        return out
    }
}
