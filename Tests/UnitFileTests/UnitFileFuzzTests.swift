import Emulator
import TestSupport
import Testing

@testable import UnitFile

/// Random bytes and mutated rule files: the parser never traps, and every finding points into the input.
struct UnitFileFuzzTests {
    static let sample = Array(
        """
        [Rule]
        Description="Delete \\"old\\" threads"
        Action=delete
        Schedule=*-*-* 03:00:00 UTC
        ; comment
        [Match]
        OlderThan = 30d \\
          # inside
          2w
        Metadata=tag=sup*
        Metadata=!legal_hold

        """.utf8)
    static let alphabet = Array("[]=\\\"'#; \t\n\rAZaz09=*!é\u{0}".utf8)

    static func check(_ bytes: [UInt8]) {
        let (document, diagnostics) = UnitFile.parse(bytes: bytes, file: "fuzz")
        let lines = bytes.reduce(1) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
        for diagnostic in diagnostics {
            #expect(diagnostic.line >= 1 && diagnostic.line <= lines, "\(diagnostic) in \(bytes)")
            #expect(diagnostic.column >= 1)
        }
        for entry in document.entries {
            #expect(entry.keyLocation.line <= lines && entry.valueLocation.line <= lines)
        }
    }

    @Test func randomBytes() {
        var random = SplitMix64(seed: 0x7468_7265_6164)
        for _ in 0..<3000 {
            let count = Int.random(in: 0..<160, using: &random)
            let bytes = (0..<count).map { _ in
                Bool.random(using: &random)
                    ? Self.alphabet.randomElement(using: &random)! : UInt8.random(in: 0...255, using: &random)
            }
            Self.check(bytes)
        }
    }

    @Test func mutatedRuleFiles() {
        var random = SplitMix64(seed: 42)
        for _ in 0..<3000 {
            var bytes = Self.sample
            for _ in 0..<Int.random(in: 1...6, using: &random) {
                let position = Int.random(in: 0...bytes.count, using: &random)
                switch Int.random(in: 0..<4, using: &random) {
                case 0: bytes.insert(Self.alphabet.randomElement(using: &random)!, at: position)
                case 1 where position < bytes.count: bytes.remove(at: position)
                case 2 where position < bytes.count: bytes[position] = UInt8.random(in: 0...255, using: &random)
                default:
                    let start = Int.random(in: 0..<Self.sample.count, using: &random)
                    bytes.insert(contentsOf: Self.sample[start..<min(Self.sample.count, start + 12)], at: position)
                }
            }
            Self.check(bytes)
        }
    }
}
