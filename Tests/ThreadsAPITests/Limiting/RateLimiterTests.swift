import Foundation
import Synchronization
import Testing

@testable import ThreadsAPI

/// The limiter actor over a virtual clock whose sleeps can end late, as a loaded machine's do.
@Suite struct RateLimiterTests {
    /// A virtual clock whose n-th sleep ends `lateness[n]` seconds after its deadline.
    final class LateClock: APIClock {
        private let state: Mutex<(now: Double, sleeps: Int)> = Mutex((0, 0))
        let lateness: @Sendable (Int) -> Double

        init(lateness: @escaping @Sendable (Int) -> Double) { self.lateness = lateness }

        func now() -> Double { state.withLock { $0.now } }

        func sleep(until deadline: Double) async throws {
            try Task.checkCancellation()
            state.withLock { state in
                let late = lateness(state.sleeps)
                state.sleeps += 1
                state.now = max(state.now, deadline + late)
            }
            await Task.yield()
        }
    }

    /// The first few pairs of grants that break the bucket's promise: `j - i + 1` grants between
    /// the i-th and the j-th (sorted) may be at most `burst + rate·(t_j - t_i)`.
    static func overruns(_ grants: [Double], rate: Double, burst: Double) -> [(count: Int, seconds: Double)] {
        let sorted = grants.sorted()
        var found: [(count: Int, seconds: Double)] = []
        for i in sorted.indices {
            for j in i..<sorted.count {
                let count = j - i + 1
                let seconds = sorted[j] - sorted[i]
                if Double(count) > burst + rate * seconds + 1e-9 { found.append((count, seconds)) }
                if found.count == 3 { return found }
            }
        }
        return found
    }

    @Test func aLateWakeUpDoesNotLetTheNextRequestsBunchWithIt() async throws {
        // The 11th request waits 10 ms for its token and is woken 0.5 s late; the bucket has
        // refilled meanwhile. The late one and the refilled burst may not all go at that instant.
        let clock = LateClock { $0 == 0 ? 0.5 : 0 }
        let limiter = RateLimiter(rate: 100, burst: 10, concurrency: 1, clock: clock)
        var grants: [Double] = []
        for _ in 0..<40 {
            grants.append(try await limiter.acquire())
            await limiter.release(nil)
        }
        #expect(grants.count == 40)
        #expect(Self.overruns(grants, rate: 100, burst: 10).isEmpty)
        #expect(grants.filter { $0 == grants[10] }.count == 10)
        #expect(grants[10] >= 0.51)
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func concurrentRequestsWithLateWakeUpsKeepToTheBucket(seed: UInt64) async throws {
        let lateness = Mutex(SplitMix64(seed: seed))
        let clock = LateClock { _ in
            lateness.withLock { generator in Double(generator.next() % 4) == 0 ? Double(generator.next() % 400) / 1000 : 0 }
        }
        let limiter = RateLimiter(rate: 100, burst: 10, concurrency: 8, clock: clock)
        let grants = try await withThrowingTaskGroup(of: Double.self) { group in
            for _ in 0..<200 {
                group.addTask {
                    let grant = try await limiter.acquire()
                    await limiter.release(nil)
                    return grant
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(grants.count == 200)
        #expect(Self.overruns(grants, rate: 100, burst: 10).isEmpty)
        // Paced, not starved: 190 tokens after the burst take at least 1.9 s.
        #expect(grants.max()! >= 1.9)
    }

    @Test func requestsQueuedBehindAPauseLongerThanTheirDeadlineAreToldAtOnce() async throws {
        let clock = LateClock { _ in 0 }
        let limiter = RateLimiter(rate: 100, burst: 1, concurrency: 4, clock: clock)
        _ = try await limiter.acquire()
        await limiter.release(RateFeedback(status: 429, sentAt: 0, headers: ["retry-after": "60"]))
        async let long = limiter.acquire(deadline: 120)
        async let short = limiter.acquire(deadline: 30)
        do {
            _ = try await short
            Issue.record("a request with a 30 s deadline was granted behind a 60 s pause")
        } catch let refused as RateLimitDeadline {
            #expect(refused.startsAt >= 60)
            #expect(refused.deadline == 30)
        }
        let granted = try await long
        #expect(granted >= 60)
        #expect(granted <= 120)
    }
}
