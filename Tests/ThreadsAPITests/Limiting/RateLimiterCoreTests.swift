import Emulator
import Testing

@testable import ThreadsAPI

@Suite struct RateLimiterCoreTests {
    /// The most starts in any window of one second.
    static func peakPerSecond(_ starts: [Double]) -> Int {
        let sorted = starts.sorted()
        var peak = 0
        var low = 0
        for high in sorted.indices {
            while sorted[high] - sorted[low] >= 1 - 1e-9 { low += 1 }
            peak = max(peak, high - low + 1)
        }
        return peak
    }

    @Test func aFullBucketLetsTheBurstGoAtOnceThenPacesAtTheRate() {
        var core = RateLimiterCore(settings: .init(rate: 10, burst: 3), now: 0)
        let starts = (0..<8).map { _ in core.reserve(now: 0) }
        #expect(starts.prefix(3).allSatisfy { $0 == 0 })
        #expect(abs(starts[3] - 0.1) < 1e-9)
        #expect(abs(starts[7] - 0.5) < 1e-9)
    }

    @Test(arguments: [(5.0, 1.0), (200.0, 20.0), (1000.0, 100.0), (3.0, 1.0)])
    func noOneSecondWindowHoldsMoreThanRatePlusBurst(rate: Double, burst: Double) {
        var core = RateLimiterCore(settings: .init(rate: rate, burst: burst), now: 0)
        var generator = SplitMix64(seed: 7)
        var now = 0.0
        var starts: [Double] = []
        // Callers arrive in clumps and gaps; each takes the start the bucket gives it.
        for _ in 0..<Int(rate * 20) {
            now += Double.random(in: 0...(3 / rate), using: &generator)
            if Double.random(in: 0..<1, using: &generator) < 0.05 { now += 2 }
            starts.append(core.reserve(now: now))
        }
        #expect(starts.allSatisfy { $0 >= 0 })
        #expect(Self.peakPerSecond(starts) <= Int(rate + burst))
    }

    @Test func retryAfterPausesEveryReservationAndEmptiesTheBucket() {
        var core = RateLimiterCore(settings: .init(rate: 10, burst: 5), now: 0)
        core.record(RateFeedback(status: 429, sentAt: 0, retryAfter: 2), now: 0.5)
        let first = core.reserve(now: 0.6)
        let second = core.reserve(now: 0.6)
        #expect(first >= 2.5)
        // No burst after the pause: the second waits for a token at the (lowered) rate.
        #expect(second > first)
    }

    @Test func a429LowersTheRateOncePerRoundThenClimbsBack() {
        var core = RateLimiterCore(settings: .init(rate: 100, burst: 10, decreaseFactor: 0.5, recoveryTime: 3), now: 0)
        core.record(RateFeedback(status: 429, sentAt: 1, retryAfter: 0), now: 1)
        #expect(abs(core.rate(at: 1) - 50) < 1e-9)
        // An answer to a request sent before the decrease does not lower it again.
        core.record(RateFeedback(status: 429, sentAt: 0.99, retryAfter: 0), now: 1.01)
        #expect(core.decreases == 1)
        // Back to just under the rate that failed within the recovery time, then slowly on.
        #expect(abs(core.rate(at: 2.5) - 62.5) < 1e-9)
        #expect(abs(core.rate(at: 4) - 75) < 1e-9)
        #expect(abs(core.rate(at: 14) - 80) < 1e-9)
        #expect(core.rate(at: 54.1) == 100)
        core.record(RateFeedback(status: 429, sentAt: 1.5, retryAfter: 0), now: 2)
        #expect(core.decreases == 2)
    }

    @Test func remainingZeroWaitsForOneRequestOfTheServer() {
        var core = RateLimiterCore(settings: .init(rate: 200, burst: 20), now: 0)
        // 200 requests refill in 1 s: the server has one again after 5 ms.
        core.record(RateFeedback(status: 200, sentAt: 0, limit: 200, remaining: 0, reset: 1), now: 0)
        #expect(core.pausedUntil == 0.005)
        #expect(core.rate(at: 0) == 200)
        #expect(core.decreases == 0)
    }

    @Test func aServerWithRoomNeverLowersTheRate() {
        var core = RateLimiterCore(settings: .init(rate: 200, burst: 20), now: 0)
        for step in 0..<1000 {
            let now = Double(step) / 200
            core.record(RateFeedback(status: 200, sentAt: now, limit: 20, remaining: Double(step % 3), reset: 0.1), now: now)
        }
        #expect(core.rate(at: 5) == 200)
    }

    @Test func headersRevealingASlowerServerLowerTheRateToIt() {
        var core = RateLimiterCore(settings: .init(rate: 1000, burst: 100), now: 0)
        core.record(RateFeedback(status: 200, sentAt: 0, limit: 20, remaining: 0, reset: 0.1), now: 0.01)
        #expect(abs(core.rate(at: 0.01) - 196) < 1e-6)
        #expect(core.ceilingRate == 200)
    }

    @Test func aServerRefillingAtOurRateIsNotASlowdown() {
        var core = RateLimiterCore(settings: .init(rate: 200, burst: 20), now: 0)
        // Bucket of 20 refilling at 200/s, empty: full again in 100 ms (sent as "98ms" after rounding).
        core.record(RateFeedback(status: 200, sentAt: 0, limit: 20, remaining: 0, reset: 0.098), now: 0.01)
        #expect(core.rate(at: 0.01) == 200)
        #expect(core.decreases == 0)
    }

    @Test func aCancelledReservationGivesItsTokenBack() {
        var core = RateLimiterCore(settings: .init(rate: 1, burst: 1), now: 0)
        #expect(core.reserve(now: 0) == 0)
        let second = core.reserve(now: 0)
        #expect(second == 1)
        core.cancelReservation()
        #expect(core.reserve(now: 0) == 1)
    }
}
