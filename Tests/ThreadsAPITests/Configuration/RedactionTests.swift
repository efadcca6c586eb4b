import Foundation
import Testing

@testable import ThreadsAPI

/// `APIKey.redact`, `serverText` and `requestID`: the one place server text is made safe.
@Suite struct RedactionTests {
    static let secret = "sk-proj-Q7h2Lm9Xc4Vb8Nz1Kd6Rt3Yw5Pa0abcd"
    let key: APIKey

    init() throws { key = try APIKey(Self.secret) }

    @Test func theWholeKeyIsRedacted() {
        #expect(key.redact("key \(Self.secret) here") == "key [redacted] here")
        #expect(key.redact("\(Self.secret)\(Self.secret)") == "[redacted]")
    }

    @Test(arguments: [8, 9, 12, 20])
    func everyPieceOfEightOrMoreIsRedacted(length: Int) {
        let characters = Array(Self.secret)
        for start in stride(from: 0, through: characters.count - length, by: 3) {
            let piece = String(characters[start..<(start + length)])
            let redacted = key.redact("before \(piece) after")
            #expect(redacted == "before [redacted] after", "piece at \(start) of length \(length): \(redacted)")
        }
    }

    @Test func piecesShorterThanEightStay() {
        #expect(key.redact("sk-proj") == "sk-proj")
        #expect(key.redact("ends abcd") == "ends abcd")
    }

    @Test(arguments: [
        "Incorrect API key provided: sk-proj-****************************abcd. You can find your API key at https://platform.openai.com/account/api-keys.",
        "Incorrect API key provided: sk-…****…abcd.",
        "Incorrect API key provided: sk-proj-...abcd.",
        "Incorrect API key provided: sk-pr•••••abcd.",
        "Incorrect API key provided: sk-pro***.",
        "Incorrect API key provided: ****abcd.",
    ])
    func maskedFormsShowingThePrefixOrLastCharactersAreRedacted(message: String) {
        let redacted = key.redact(message)
        #expect(redacted.hasPrefix("Incorrect API key provided: [redacted]."), "\(redacted)")
        #expect(!redacted.contains("abcd"))
        #expect(!redacted.contains("sk-"))
    }

    @Test func ordinaryTextIsLeftAlone() {
        for text in [
            "No thread found with id 'thread_abc'.", "Please try again...", "Rate limit reached. Try again in 1.5s.",
            "version 1.2.3", "a * b",
        ] {
            #expect(key.redact(text) == text)
        }
    }

    @Test func serverTextRedactsBeforeItCuts() {
        // The key starts just before the cut: cut first, its first 12 characters would stay.
        let text = String(repeating: "x", count: 188) + Self.secret + String(repeating: "y", count: 100)
        let shown = key.serverText(text, limit: 200)
        #expect(shown == String(repeating: "x", count: 188) + "[redacted]" + "yy…")
        for length in 8...Self.secret.count {
            #expect(!shown.contains(String(Self.secret.prefix(length))))
        }
        // A mask whose stars fall past the cut.
        let masked = String(repeating: "z ", count: 95) + "sk-proj-" + String(repeating: "*", count: 40) + "abcd"
        #expect(!key.serverText(masked, limit: 200).contains("sk-proj"))
        let body = Data((String(repeating: "<p>", count: 95) + Self.secret).utf8)
        #expect(!key.serverText(body, limit: 300).contains("sk-proj-Q7"))
    }

    @Test func serverTextIsOneLine() {
        #expect(key.serverText("a\nb\u{7}c", limit: 10) == "a b c")
    }

    @Test(arguments: ["req_0123456789abcdef0123456789abcdef", "9f1c2e-77:a.b_C"])
    func requestIDsThatLookLikeOneAreKept(id: String) {
        #expect(key.requestID(id) == id)
    }

    @Test func requestIDsThatDoNotLookLikeOneAreDropped() {
        for id in [
            "", Self.secret, "req_" + Self.secret.dropFirst(10), "sk-****abcd", "req 1", "req/1", "req_1\r\nX-Evil: 1",
            String(repeating: "a", count: 129), "req_ключ",
        ] {
            #expect(key.requestID(String(id)) == nil, "kept '\(id)'")
        }
        #expect(key.requestID(nil) == nil)
    }
}
