import Emulator
import Testing

@testable import Schedule

/// Properties that hold for every input: no crash, typed errors, and a normalized form that means
/// the same as the expression it came from.
@Suite struct CalendarSpecPropertyTests {
    @Test func arbitraryTextParsesOrThrowsATypedError() {
        var random = SplitMix64(seed: 42)
        let alphabet = Array("0123456789*-~:.,/ @MonTueSatSunUTCdailyweekly~Europe/Berlin\u{0}é".unicodeScalars)
        var accepted = 0
        for _ in 0..<20_000 {
            let length = random.below(24)
            var text = String.UnicodeScalarView()
            for _ in 0..<length { text.append(alphabet[random.below(alphabet.count)]) }
            do {
                let spec = try CalendarSpec.parse(String(text))
                accepted += 1
                _ = spec.nextElapse(afterMicroseconds: 1_767_225_600_000_000, localZone: .utc)
            } catch {
                #expect(error is CalendarSpecError)
            }
        }
        #expect(accepted > 0)
    }

    @Test func mutatedCorpusExpressionsParseOrThrowATypedError() {
        var random = SplitMix64(seed: 7)
        let insertions = Array("0123456789*-~:.,/ ")
        for expression in CalendarCorpus.all {
            for _ in 0..<20 {
                var characters = Array(expression)
                switch random.below(3) {
                case 0 where !characters.isEmpty: characters.remove(at: random.below(characters.count))
                case 1: characters.insert(insertions[random.below(insertions.count)], at: random.below(characters.count + 1))
                default:
                    if !characters.isEmpty {
                        characters[random.below(characters.count)] = insertions[random.below(insertions.count)]
                    }
                }
                do {
                    let spec = try CalendarSpec.parse(String(characters))
                    _ = spec.nextElapse(afterMicroseconds: 1_767_225_600_000_000, localZone: .utc)
                } catch {
                    #expect(error is CalendarSpecError)
                }
            }
        }
    }

    @Test(arguments: CalendarCorpus.all)
    func normalizedFormMeansTheSame(expression: String) throws {
        guard let spec = try? CalendarSpec.parse(expression) else { return }
        let again = try CalendarSpec.parse(spec.normalized)
        #expect(again.normalized == spec.normalized)
        let berlin = try #require(ZoneRules.named("Europe/Berlin"))
        let base: Int64 = 1_774_740_000_000_000  // 2026-03-28 23:20 UTC, the night Berlin springs forward
        #expect(
            again.elapses(afterMicroseconds: base, count: 3, localZone: berlin)
                == spec.elapses(afterMicroseconds: base, count: 3, localZone: berlin))
    }

    @Test func elapsesIncreaseStrictly() throws {
        let zones = try ["UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe"].map { try #require(ZoneRules.named($0)) }
        for (index, expression) in CalendarCorpus.all.enumerated() {
            guard let spec = try? CalendarSpec.parse(expression) else { continue }
            let zone = zones[index % zones.count]
            let elapses = spec.elapses(afterMicroseconds: 1_792_880_000_000_000, count: 5, localZone: zone)
            #expect(zip(elapses, elapses.dropFirst()).allSatisfy { $0 < $1 }, "\(expression)")
            #expect(elapses.allSatisfy { $0 > 1_792_880_000_000_000 }, "\(expression)")
        }
    }
}
