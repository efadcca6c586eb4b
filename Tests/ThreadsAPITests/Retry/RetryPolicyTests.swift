import Emulator
import Testing

@testable import ThreadsAPI

@Suite struct RetryPolicyTests {
    let policy = RetryPolicy(maxAttempts: 5, baseDelay: 0.5, maxDelay: 4, deadline: 30)

    @Test(arguments: [408, 409, 429, 500, 501, 502, 503, 504, 520, 599])
    func retriesTransientStatuses(_ status: Int) {
        var generator = SplitMix64(seed: 1)
        let decision = policy.decide(after: .status(status), attempt: 1, firstAttemptAt: 0, now: 0, using: &generator)
        guard case .retry(let delay) = decision else {
            Issue.record("expected a retry, got \(decision)")
            return
        }
        #expect(delay >= 0 && delay <= 0.5)
    }

    @Test(arguments: [TransportFailure.timedOut, .connectionReset, .cannotConnect])
    func retriesMissingAnswers(_ failure: TransportFailure) {
        var generator = SplitMix64(seed: 1)
        let decision = policy.decide(after: .transport(failure), attempt: 2, firstAttemptAt: 0, now: 1, using: &generator)
        #expect(decision != .stop(.notRetryable))
    }

    @Test(arguments: [400, 401, 403, 404, 422, 413, 301, 410, 600])
    func neverRetriesAnswers(_ status: Int) {
        var generator = SplitMix64(seed: 1)
        #expect(
            policy.decide(after: .status(status), attempt: 1, firstAttemptAt: 0, now: 0, using: &generator)
                == .stop(.notRetryable))
    }

    @Test func neverRetriesAnAnswerTooLarge() {
        var generator = SplitMix64(seed: 1)
        #expect(
            policy.decide(after: .transport(.responseTooLarge), attempt: 1, firstAttemptAt: 0, now: 0, using: &generator)
                == .stop(.notRetryable))
    }

    @Test func backoffDoublesUpToTheCapWithFullJitter() {
        #expect(policy.backoffCap(attempt: 1) == 0.5)
        #expect(policy.backoffCap(attempt: 2) == 1)
        #expect(policy.backoffCap(attempt: 3) == 2)
        #expect(policy.backoffCap(attempt: 4) == 4)
        #expect(policy.backoffCap(attempt: 40) == 4)
        // Full jitter: over many draws the delays spread across the whole range.
        var generator = SplitMix64(seed: 42)
        var delays: [Double] = []
        for _ in 0..<2000 {
            if case .retry(let delay) = policy.decide(
                after: .status(503), attempt: 3, firstAttemptAt: 0, now: 0, using: &generator)
            {
                delays.append(delay)
            }
        }
        #expect(delays.count == 2000)
        #expect(delays.allSatisfy { $0 >= 0 && $0 <= 2 })
        #expect(delays.min()! < 0.1)
        #expect(delays.max()! > 1.9)
        let mean = delays.reduce(0, +) / Double(delays.count)
        #expect(abs(mean - 1) < 0.1)
    }

    @Test func theSameSeedGivesTheSameDelays() {
        var first = SplitMix64(seed: 9)
        var second = SplitMix64(seed: 9)
        let a = policy.decide(after: .status(500), attempt: 2, firstAttemptAt: 0, now: 0, using: &first)
        let b = policy.decide(after: .status(500), attempt: 2, firstAttemptAt: 0, now: 0, using: &second)
        #expect(a == b)
    }

    @Test func stopsAfterMaxAttempts() {
        var generator = SplitMix64(seed: 1)
        #expect(
            policy.decide(after: .status(503), attempt: 5, firstAttemptAt: 0, now: 0, using: &generator)
                == .stop(.attemptsExhausted))
    }

    @Test func stopsWhenTheNextTryWouldStartAfterTheDeadline() {
        var generator = SplitMix64(seed: 1)
        #expect(
            policy.decide(after: .status(503), attempt: 2, firstAttemptAt: 0, now: 29.9, retryAfter: 1, using: &generator)
                == .stop(.deadlineExceeded))
    }

    @Test func waitsAtLeastRetryAfter() {
        var generator = SplitMix64(seed: 3)
        for _ in 0..<100 {
            guard
                case .retry(let delay) = policy.decide(
                    after: .status(429), attempt: 1, firstAttemptAt: 0, now: 0, retryAfter: 3, using: &generator)
            else {
                Issue.record("expected a retry")
                return
            }
            #expect(delay >= 3)
        }
    }

    /// openai-python's `_should_retry` reads `x-should-retry` before the status.
    @Test func theServersAdviceWinsOverTheStatus() {
        var generator = SplitMix64(seed: 1)
        for status in [400, 401, 403, 404, 422] {
            let decision = policy.decide(
                after: .status(status), attempt: 1, firstAttemptAt: 0, now: 0, serverSays: true, using: &generator)
            guard case .retry = decision else {
                Issue.record("x-should-retry: true on \(status): expected a retry, got \(decision)")
                continue
            }
        }
        for status in [408, 409, 429, 500, 503] {
            #expect(
                policy.decide(after: .status(status), attempt: 1, firstAttemptAt: 0, now: 0, serverSays: false, using: &generator)
                    == .stop(.notRetryable))
        }
        #expect(RetryPolicy.serverAdvice("true") == true)
        #expect(RetryPolicy.serverAdvice("false") == false)
        #expect(RetryPolicy.serverAdvice("TRUE") == nil)
        #expect(RetryPolicy.serverAdvice("1") == nil)
        #expect(RetryPolicy.serverAdvice(nil) == nil)
    }

    /// The header says nothing about a request that got no answer.
    @Test func theServersAdviceDoesNotApplyWithoutAnAnswer() {
        var generator = SplitMix64(seed: 1)
        #expect(
            policy.decide(after: .transport(.responseTooLarge), attempt: 1, firstAttemptAt: 0, now: 0, serverSays: true, using: &generator)
                == .stop(.notRetryable))
    }

    /// A create whose answer was lost may have created a thread: trying again could create a second.
    @Test(arguments: [TransportFailure.timedOut, .connectionReset])
    func aLostAnswerToACreateIsNotRetried(_ failure: TransportFailure) {
        var generator = SplitMix64(seed: 1)
        #expect(
            policy.decide(after: .transport(failure), attempt: 1, firstAttemptAt: 0, now: 0, idempotent: false, using: &generator)
                == .stop(.answerLost))
    }

    /// A refused connection proves nothing arrived, and a status is the server's own answer.
    @Test func aCreateIsRetriedWhenNothingArrivedOrTheServerAnswered() {
        var generator = SplitMix64(seed: 1)
        for outcome in [RetryPolicy.Outcome.transport(.cannotConnect), .status(429), .status(503)] {
            let decision = policy.decide(after: outcome, attempt: 1, firstAttemptAt: 0, now: 0, idempotent: false, using: &generator)
            guard case .retry = decision else {
                Issue.record("\(outcome): expected a retry, got \(decision)")
                continue
            }
        }
    }
}
