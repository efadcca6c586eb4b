import Emulator
import TestSupport
import Testing
import UnitFile

@testable import Rules

/// Mutated rule files through the whole reader (unit-file syntax, time spans,
/// timestamps, calendar events, globs): no trap, and a file either loads or says why not.
struct RuleFuzzTests {
    static let sample = Array(
        """
        [Rule]
        Description=fuzz
        Schedule=Mon..Fri *-*~01 03:00:00 Europe/Berlin
        Action=tag
        [Match]
        OlderThan=2w 3d
        CreatedAfter=2026-01-31 12:00 UTC
        Metadata=!tag=s[a-c]*?
        IdleFor=1.5h
        Source=import sync
        [Action]
        Set=retention=expiring
        VerifyWindow=500ms
        [Limits]
        MaxFraction=12.5%
        RequestsPerSecond=0.5

        """.utf8)
    static let alphabet = Array("[]=\\\"'#;! \t\n*?-~.:,/@%0123456789dhwmsyUTCMonFri".utf8)

    @Test func mutatedRuleFilesLoadOrExplain() {
        var random = SplitMix64(seed: 7)
        var loaded = 0
        for _ in 0..<2000 {
            var bytes = Self.sample
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                let position = Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0..<3, using: &random) {
                case 0: bytes.insert(Self.alphabet.randomElement(using: &random)!, at: position)
                case 1: bytes.remove(at: position)
                default: bytes[position] = Self.alphabet.randomElement(using: &random)!
                }
            }
            let (rule, diagnostics) = Rule.parse(bytes: bytes, file: "fuzz.rule", now: 1_780_000_000)
            #expect((rule == nil) == diagnostics.containsErrors)
            if let rule {
                loaded += 1
                _ = rule.compile(now: 1_780_000_000).query
                _ = rule.schedule?.nextElapse(after: 1_780_000_000)
            }
        }
        #expect(loaded > 100)
    }
}
