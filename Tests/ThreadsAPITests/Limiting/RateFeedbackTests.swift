import Testing

@testable import ThreadsAPI

@Suite struct RateFeedbackTests {
    @Test(arguments: [
        ("1s", 1.0), ("6m0s", 360.0), ("20ms", 0.02), ("1h2m3.5s", 3723.5), ("0.5", 0.5), ("1m", 60.0), ("250ms", 0.25),
    ])
    func parsesOpenAIDurations(_ text: String, _ seconds: Double) {
        #expect(RateFeedback.parseDuration(text) == seconds)
    }

    @Test(arguments: ["", "soon", "5x", "-1", "1s2"])
    func refusesOtherDurations(_ text: String) {
        #expect(RateFeedback.parseDuration(text) == nil)
    }

    @Test func readsTheHeaders() {
        let feedback = RateFeedback(
            status: 429, sentAt: 3,
            headers: [
                "retry-after": "2", "x-ratelimit-limit-requests": "200", "x-ratelimit-remaining-requests": "0",
                "x-ratelimit-reset-requests": "150ms",
            ])
        #expect(feedback.retryAfter == 2)
        #expect(feedback.limit == 200)
        #expect(feedback.remaining == 0)
        #expect(feedback.reset == 0.15)
        #expect(feedback.sentAt == 3)
    }

    @Test func retryAfterMillisecondsWinsOverSeconds() {
        let feedback = RateFeedback(status: 429, sentAt: 0, headers: ["retry-after": "1", "retry-after-ms": "120"])
        #expect(feedback.retryAfter == 0.12)
    }

    @Test func anHTTPDateRetryAfterReadsAsOneSecond() {
        let feedback = RateFeedback(status: 429, sentAt: 0, headers: ["retry-after": "Wed, 21 Oct 2026 07:28:00 GMT"])
        #expect(feedback.retryAfter == 1)
    }
}
