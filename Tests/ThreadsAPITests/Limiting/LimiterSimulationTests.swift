import Testing

@testable import ThreadsAPI

/// The limiter against a simulated token-bucket server, in virtual time: no sleeps.
@Suite struct LimiterSimulationTests {
    /// A server that admits `rate` a second with a bucket of `burst`, and answers like the emulator.
    struct SimulatedServer {
        var rate: Double
        var burst: Double
        var tokens: Double
        var last = 0.0
        var sendsHeaders: Bool

        init(rate: Double, burst: Double, sendsHeaders: Bool) {
            self.rate = rate
            self.burst = burst
            tokens = burst
            self.sendsHeaders = sendsHeaders
        }

        mutating func answer(at now: Double, sentAt: Double) -> RateFeedback {
            tokens = min(burst, tokens + (now - last) * rate)
            last = now
            var feedback: RateFeedback
            if tokens >= 1 {
                tokens -= 1
                feedback = RateFeedback(status: 200, sentAt: sentAt)
            } else {
                let wait = (1 - tokens) / rate
                feedback = RateFeedback(status: 429, sentAt: sentAt, retryAfter: wait.rounded(.up))
            }
            if sendsHeaders {
                feedback.limit = burst
                feedback.remaining = tokens.rounded(.down)
                feedback.reset = (burst - tokens) / rate
            }
            return feedback
        }
    }

    struct Result {
        var completed: Int
        var rejected: Int
        var elapsed: Double
    }

    /// Runs `count` requests, `concurrency` at a time, each taking `latency` seconds, retrying 429s.
    static func run(
        count: Int, clientRate: Double, server: inout SimulatedServer, concurrency: Int = 8, latency: Double = 0.02,
        settings: RateLimiterCore.Settings? = nil
    ) -> Result {
        var core = RateLimiterCore(settings: settings ?? .init(rate: clientRate, burst: max(1, (clientRate / 10).rounded(.down))), now: 0)
        // Each worker: the time it is free again. Answers arrive in time order via a small event list.
        var workers = [Double](repeating: 0, count: concurrency)
        var pending = count
        var completed = 0
        var rejected = 0
        var now = 0.0
        while completed < count {
            let index = workers.indices.min { workers[$0] < workers[$1] }!
            now = max(now, workers[index])
            guard pending > 0 || completed < count else { break }
            let start = core.reserve(now: now)
            let arrival = start + latency / 2
            var feedback = server.answer(at: arrival, sentAt: start)
            let done = start + latency
            core.record(feedback, now: done)
            if feedback.status == 429 {
                rejected += 1
                feedback.status = nil
            } else {
                completed += 1
                pending -= 1
            }
            workers[index] = done
        }
        return Result(completed: completed, rejected: rejected, elapsed: workers.max()!)
    }

    @Test(arguments: [20.0, 200.0])
    func atTheServersRateThereAreNoRejections(serverBurst: Double) {
        var server = SimulatedServer(rate: 200, burst: serverBurst, sendsHeaders: true)
        let result = Self.run(count: 5000, clientRate: 200, server: &server)
        #expect(result.rejected == 0)
        #expect(Double(result.completed) / result.elapsed >= 0.95 * 200)
    }

    @Test(arguments: [20.0, 200.0])
    func aBudgetSetTooHighConvergesOnTheServersLimitAtOnceWhenTheHeadersTellIt(serverBurst: Double) {
        var server = SimulatedServer(rate: 200, burst: serverBurst, sendsHeaders: true)
        let result = Self.run(count: 5000, clientRate: 1000, server: &server)
        let achieved = Double(result.completed) / result.elapsed
        let share = Double(result.rejected) / Double(result.completed + result.rejected)
        #expect(achieved >= 0.85 * 200, "achieved \(achieved)/s")
        #expect(share < 0.02, "429 share \(share)")
    }

    /// Without headers only 429s (each pausing everything for a whole second of `Retry-After`)
    /// teach it the limit: it takes a few, then stays just under the limit.
    @Test func aBudgetSetTooHighConvergesOnTheServersLimitFrom429sAlone() {
        var server = SimulatedServer(rate: 200, burst: 20, sendsHeaders: false)
        let result = Self.run(count: 5000, clientRate: 1000, server: &server)
        let achieved = Double(result.completed) / result.elapsed
        #expect(achieved >= 0.7 * 200, "achieved \(achieved)/s")
        #expect(result.rejected <= 8, "\(result.rejected) answers were 429")
    }
}
