import Testing

@testable import ThreadsAPI

@Suite struct BreakerTests {
    @Test func consecutiveAuthenticationFailuresOpenIt() {
        var breaker = Breaker(settings: .init(authenticationFailures: 3, cooldown: 60))
        breaker.record(.authenticationFailure(status: 401), now: 0)
        breaker.record(.authenticationFailure(status: 401), now: 1)
        #expect(breaker.check(now: 1) == nil)
        breaker.record(.authenticationFailure(status: 401), now: 2)
        #expect(breaker.check(now: 2) == .authentication(status: 401, count: 3))
        #expect(breaker.check(now: 2)!.description.contains("api key"))
    }

    @Test func aSuccessBetweenAuthenticationFailuresResetsTheCount() {
        var breaker = Breaker(settings: .init(authenticationFailures: 2))
        breaker.record(.authenticationFailure(status: 403), now: 0)
        breaker.record(.success, now: 1)
        breaker.record(.authenticationFailure(status: 403), now: 2)
        #expect(breaker.check(now: 2) == nil)
    }

    @Test func aLongRunOfExhaustedRetriesOpensIt() {
        var breaker = Breaker(settings: .init(exhaustedFailures: 4))
        for step in 0..<3 { breaker.record(.exhausted, now: Double(step)) }
        #expect(breaker.check(now: 3) == nil)
        breaker.record(.exhausted, now: 3)
        #expect(breaker.check(now: 3) == .failures(count: 4))
    }

    @Test func scattered404sOnLiveThreadsAreNormal() {
        var breaker = Breaker(settings: .init(notFoundWindow: 50, notFoundMinimum: 20, notFoundShare: 0.5))
        for step in 0..<1000 {
            breaker.record(step % 4 == 0 ? .notFound(counts: true) : .success, now: Double(step))
        }
        #expect(breaker.check(now: 1000) == nil)
    }

    @Test func aFloodOf404sOnLiveThreadsOpensIt() {
        var breaker = Breaker(settings: .init(notFoundWindow: 50, notFoundMinimum: 20, notFoundShare: 0.5))
        for step in 0..<30 { breaker.record(.success, now: Double(step)) }
        var opened: BreakerCause?
        for step in 30..<100 {
            breaker.record(.notFound(counts: true), now: Double(step))
            if let cause = breaker.check(now: Double(step)) {
                opened = cause
                break
            }
        }
        #expect(opened == .notFound(count: 26, window: 50))
        #expect(opened?.description.contains("BaseURL=") == true)
    }

    @Test func notFoundsTheCallerDoesNotCountNeverOpenIt() {
        var breaker = Breaker()
        for step in 0..<500 { breaker.record(.notFound(counts: false), now: Double(step)) }
        #expect(breaker.check(now: 500) == nil)
    }

    @Test func afterTheCooldownOneSuccessClosesIt() {
        var breaker = Breaker(settings: .init(authenticationFailures: 1, cooldown: 30))
        breaker.record(.authenticationFailure(status: 401), now: 0)
        #expect(breaker.check(now: 29) != nil)
        #expect(breaker.check(now: 30) == nil)
        #expect(breaker.state == .halfOpen(.authentication(status: 401, count: 1)))
        breaker.record(.success, now: 31)
        #expect(breaker.state == .closed)
    }

    @Test func aFailureWhileHalfOpenOpensItAgain() {
        var breaker = Breaker(settings: .init(authenticationFailures: 3, exhaustedFailures: 5, cooldown: 30))
        for step in 0..<5 { breaker.record(.exhausted, now: Double(step)) }
        #expect(breaker.check(now: 40) == nil)
        breaker.record(.exhausted, now: 41)
        #expect(breaker.check(now: 42) != nil)
        #expect(breaker.openCause != nil)
    }
}
