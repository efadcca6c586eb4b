import Emulator
import Ledger
import Testing
import ThreadsAPI

@testable import Executor

/// The act loop's core driven step by step with chosen instants: no tasks, no sockets, no sleep.
///
/// Each table row is the action the loop must ask for, written short (`poll`, `record 3`,
/// `dispatch 1`, `await`, `settle 1:ok 2:skipped`, `grace 10`, `cancel`, `close`, `finish`), and the event
/// the shell would answer it with, at an instant `at` milliseconds after the pass started.
struct ActLoopTests {
    struct Step {
        var expected: String
        var event: ActLoop.Event?
        var at = 0
    }

    static let start = ContinuousClock.now

    static func loop(
        planned: Int, batch: Int = 8, concurrency: Int = 2, settleBatch: Int = 64, grace: Double = 10, report: Bool = false
    ) -> ActLoop {
        ActLoop(
            planned: planned, intentBatch: batch, concurrency: concurrency, settleBatch: settleBatch, settleInterval: 0.25,
            grace: grace, report: report, start: start)
    }

    static func items(_ ids: ClosedRange<Int64>) -> [WorkItem] {
        ids.map { WorkItem(actionID: $0, thread: ThreadRecord(id: "thread_\($0)", createdAt: 0, firstSeen: 0)) }
    }

    static func done(_ id: Int64, _ outcome: ActionOutcome = .ok, failure: String? = nil) -> ActLoop.Event {
        .finished(
            .settled(
                ActionSettlement(actionID: id, outcome: outcome, error: failure), threadID: "thread_\(id)", archived: false,
                failure: failure))
    }

    static func describe(_ action: ActLoop.Action) -> String {
        switch action {
        case .pollStop: "poll"
        case .recordIntents(let limit): "record \(limit)"
        case .dispatch(let item): "dispatch \(item.actionID)"
        case .awaitResult: "await"
        case .settle(let settlements):
            "settle " + settlements.map { "\($0.actionID):\($0.outcome.rawValue)" }.joined(separator: " ")
        case .startGrace(let seconds): "grace \(Int(seconds))"
        case .cancelAll: "cancel"
        case .closeGroup: "close"
        case .finish: "finish"
        }
    }

    /// Plays the table; returns the notices the loop gave, in order.
    @discardableResult
    static func play(_ loop: inout ActLoop, _ steps: [Step], sourceLocation: SourceLocation = #_sourceLocation)
        -> [ActLoop.Notice]
    {
        var notices: [ActLoop.Notice] = []
        for (index, step) in steps.enumerated() {
            let action = describe(loop.next(now: start + .milliseconds(step.at)))
            #expect(action == step.expected, "step \(index)", sourceLocation: sourceLocation)
            guard action == step.expected else { return notices }
            if let event = step.event, let notice = loop.handle(event) { notices.append(notice) }
        }
        return notices
    }

    @Test func everyPlannedItemIsRecordedBeforeItIsSentAndSettledAtTheEnd() {
        var loop = Self.loop(planned: 3, batch: 2)
        Self.play(
            &loop,
            [
                Step(expected: "poll", event: .stopPolled(nil)),
                Step(expected: "record 2", event: .intentsRecorded(Self.items(1...2), wanted: 2)),
                Step(expected: "dispatch 1"),
                Step(expected: "poll", event: .stopPolled(nil)),
                Step(expected: "dispatch 2"),
                Step(expected: "poll", event: .stopPolled(nil)),
                // The queue ran dry: the next intents are recorded while two calls are in flight.
                Step(expected: "record 1", event: .intentsRecorded(Self.items(3...3), wanted: 1)),
                Step(expected: "await", event: Self.done(1)),
                Step(expected: "dispatch 3"),
                Step(expected: "poll", event: .stopPolled(nil)),
                Step(expected: "await", event: Self.done(2)),
                Step(expected: "await", event: Self.done(3, .failed, failure: "HTTP 500")),
                Step(expected: "close"),
                Step(expected: "settle 1:ok 2:ok 3:failed", event: .settled),
                Step(expected: "finish"),
            ])
        #expect(loop.end == .completed)
        #expect(loop.settledCount == 3 && loop.failed == 1 && loop.pending.isEmpty)
        #expect(loop.firstFailure == "thread thread_3: HTTP 500")
    }

    @Test func aShortPageEndsTheIntentsEvenBelowThePlan() {
        var loop = Self.loop(planned: 5, batch: 2, concurrency: 4)
        Self.play(
            &loop,
            [
                Step(expected: "poll", event: .stopPolled(nil)),
                Step(expected: "record 2", event: .intentsRecorded(Self.items(1...1), wanted: 2)),
                Step(expected: "dispatch 1"),
                Step(expected: "poll", event: .stopPolled(nil)),
                // Fewer threads than asked for: no further page is read.
                Step(expected: "await", event: Self.done(1)),
                Step(expected: "close"),
                Step(expected: "settle 1:ok", event: .settled),
                Step(expected: "finish"),
            ])
        #expect(loop.end == .completed && loop.dispatched == 1)
    }

    @Test func stopDuringIntentsSkipsWhatWasNotSentAndGivesTheCallsInFlightTheGrace() {
        var loop = Self.loop(planned: 3, grace: 7)
        let notices = Self.play(
            &loop,
            [
                Step(expected: "poll", event: .stopPolled(nil)),
                Step(expected: "record 3", event: .intentsRecorded(Self.items(1...3), wanted: 3)),
                Step(expected: "dispatch 1"),
                Step(expected: "poll", event: .stopPolled(.interrupt)),
                Step(expected: "grace 7"),
                Step(expected: "await", event: Self.done(1)),
                Step(expected: "close"),
                Step(expected: "settle 2:skipped 3:skipped 1:ok", event: .settled),
                Step(expected: "finish"),
            ])
        #expect(notices == [.stopRequested(.interrupt)])
        #expect(loop.end == .stopped(.interrupt))
        #expect(loop.dispatched == 1)
    }

    @Test func notSentItemsSayWhyTheyWereSkipped() {
        var loop = Self.loop(planned: 2, concurrency: 1)
        Self.play(
            &loop,
            [
                Step(expected: "poll", event: .stopPolled(nil)),
                Step(expected: "record 2", event: .intentsRecorded(Self.items(1...2), wanted: 2)),
                Step(expected: "dispatch 1"),
                Step(expected: "poll", event: .stopPolled(.terminate)),
                Step(expected: "grace 10"),
            ])
        #expect(loop.pending.map(\.error) == ["not sent: the run was stopped by SIGTERM"])
        #expect(loop.pending.map(\.attempts) == [0])
    }

    @Test func graceExpiryCancelsTheCallsStillInFlight() {
        var loop = Self.loop(planned: 2)
        Self.play(
            &loop,
            [
                Step(expected: "poll", event: .stopPolled(nil)),
                Step(expected: "record 2", event: .intentsRecorded(Self.items(1...2), wanted: 2)),
                Step(expected: "dispatch 1"),
                Step(expected: "poll", event: .stopPolled(nil)),
                Step(expected: "dispatch 2"),
                Step(expected: "poll", event: .stopPolled(nil)),
                // Both sent; the stop arrives from the watcher while they are in flight.
                Step(expected: "await", event: .finished(.stopRequested(.terminate))),
                Step(expected: "grace 10"),
                Step(expected: "await", event: .finished(.graceExpired)),
                Step(expected: "cancel"),
                Step(expected: "await", event: .finished(.leftOpen)),
                Step(expected: "await", event: .finished(.leftOpen)),
                Step(expected: "close"),
                Step(expected: "finish"),
            ])
        #expect(loop.end == .stopped(.terminate))
        #expect(loop.leftOpen == 2 && loop.settledCount == 0)
    }

    @Test func theGraceStartsOnceOnly() {
        var loop = Self.loop(planned: 2)
        Self.play(
            &loop,
            [
                Step(expected: "poll", event: .stopPolled(nil)),
                Step(expected: "record 2", event: .intentsRecorded(Self.items(1...2), wanted: 2)),
                Step(expected: "dispatch 1"),
                Step(expected: "poll", event: .stopPolled(nil)),
                Step(expected: "dispatch 2"),
                Step(expected: "poll", event: .stopPolled(.interrupt)),
                Step(expected: "grace 10"),
                Step(expected: "await", event: .finished(.stopRequested(.interrupt))),
                Step(expected: "await", event: Self.done(1)),
                Step(expected: "await", event: Self.done(2)),
                Step(expected: "close"),
                Step(expected: "settle 1:ok 2:ok", event: .settled),
                Step(expected: "finish"),
            ])
        #expect(loop.end == .stopped(.interrupt))
    }

    @Test(arguments: [
        (notFound: false, unavailable: false),
        (notFound: true, unavailable: false),
        (notFound: false, unavailable: true),
    ])
    func anAbortMidBatchSendsNothingMore(notFound: Bool, unavailable: Bool) {
        var loop = Self.loop(planned: 3, concurrency: 1)
        let notices = Self.play(
            &loop,
            [
                Step(expected: "poll", event: .stopPolled(nil)),
                Step(expected: "record 3", event: .intentsRecorded(Self.items(1...3), wanted: 3)),
                Step(expected: "dispatch 1"),
                Step(expected: "poll", event: .stopPolled(nil)),
                Step(
                    expected: "await",
                    event: .finished(
                        .abort(
                            ActionSettlement(actionID: 1, outcome: .failed, error: "breaker"), threadID: "thread_1",
                            reason: "the answer is not the api's", notFound: notFound, unavailable: unavailable))),
                // Room for the next call, but the run is aborting: 2 and 3 are never sent.
                Step(expected: "close"),
                Step(expected: "settle 1:failed 2:skipped 3:skipped", event: .settled),
                Step(expected: "finish"),
            ])
        #expect(notices == [.breakerOpened("the answer is not the api's")])
        #expect(loop.end == .aborted("the answer is not the api's"))
        #expect(loop.dispatched == 1)
        #expect(loop.abortedUnavailable == unavailable)
        #expect(loop.goneProven == !notFound)
    }

    @Test func onlyTheFirstAbortOpensTheBreaker() {
        var loop = Self.loop(planned: 2)
        let abort: (Int64, String) -> ActLoop.Event = { id, reason in
            .finished(
                .abort(
                    ActionSettlement(actionID: id, outcome: .failed), threadID: "thread_\(id)", reason: reason,
                    notFound: true))
        }
        let notices = Self.play(
            &loop,
            [
                Step(expected: "poll", event: .stopPolled(nil)),
                Step(expected: "record 2", event: .intentsRecorded(Self.items(1...2), wanted: 2)),
                Step(expected: "dispatch 1"),
                Step(expected: "poll", event: .stopPolled(nil)),
                Step(expected: "dispatch 2"),
                Step(expected: "poll", event: .stopPolled(nil)),
                Step(expected: "await", event: abort(1, "first")),
                Step(expected: "await", event: abort(2, "second")),
                Step(expected: "close"),
                Step(expected: "settle 1:failed 2:failed", event: .settled),
                Step(expected: "finish"),
            ])
        #expect(notices == [.breakerOpened("first")])
        #expect(loop.end == .aborted("first") && !loop.goneProven)
    }

    @Test func aFailedSettleStopsTheRunAndKeepsTheOutcomesForTheLastTry() {
        var loop = Self.loop(planned: 2, settleBatch: 1, report: true)
        Self.play(
            &loop,
            [
                Step(expected: "poll", event: .stopPolled(nil)),
                Step(expected: "record 2", event: .intentsRecorded(Self.items(1...2), wanted: 2)),
                // A report's outcome is known at once; a batch of one is due at once.
                Step(expected: "settle 1:ok", event: .settleFailed(LedgerError(.io, "disk full"))),
                Step(expected: "close"),
                Step(expected: "settle 1:ok 2:skipped", event: .settleFailed(LedgerError(.io, "still full"))),
                Step(expected: "finish"),
            ])
        #expect(loop.ledgerFailure?.message.contains("disk full") == true)
        #expect(loop.pending.last?.error == "not sent: the ledger refused a write")
    }

    @Test func aRefusedIntentSendsNothing() {
        var loop = Self.loop(planned: 2)
        Self.play(
            &loop,
            [
                Step(expected: "poll", event: .stopPolled(nil)),
                Step(expected: "record 2", event: .ledgerFailed(LedgerError(.io, "disk full"))),
                Step(expected: "close"),
                Step(expected: "finish"),
            ])
        #expect(loop.dispatched == 0 && loop.ledgerFailure != nil)
    }

    @Test func outcomesAreSettledByCountOrByTheInterval() {
        var loop = Self.loop(planned: 3, report: true)
        Self.play(
            &loop,
            [
                Step(expected: "poll", event: .stopPolled(nil)),
                Step(expected: "record 3", event: .intentsRecorded(Self.items(1...3), wanted: 3)),
                Step(expected: "poll", event: .stopPolled(nil), at: 100),
                // 250 ms after the last settle (the pass's start) the pending outcomes are due.
                Step(expected: "settle 1:ok 2:ok", event: .settled, at: 250),
                Step(expected: "poll", event: .stopPolled(nil), at: 260),
                // The third outcome is 150 ms younger than the last settle: it waits for the end.
                Step(expected: "poll", event: .stopPolled(nil), at: 400),
                Step(expected: "close", at: 400),
                Step(expected: "settle 3:ok", event: .settled, at: 400),
                Step(expected: "finish"),
            ])
        #expect(loop.settledCount == 3 && loop.end == .completed)
    }

    @Test func a404SettlesGoneWithoutWritingTheStateInTheSettle() {
        var loop = Self.loop(planned: 1)
        Self.play(
            &loop,
            [
                Step(expected: "poll", event: .stopPolled(nil)),
                Step(expected: "record 1", event: .intentsRecorded(Self.items(1...1), wanted: 1)),
                Step(expected: "dispatch 1"),
                Step(expected: "poll", event: .stopPolled(nil)),
                Step(
                    expected: "await",
                    event: .finished(
                        .settled(
                            ActionSettlement(actionID: 1, outcome: .gone, httpStatus: 404, threadState: .gone),
                            threadID: "thread_1", archived: false, failure: nil))),
                Step(expected: "close"),
            ])
        #expect(loop.goneThreads == ["thread_1"] && loop.goneProven)
        #expect(loop.pending.first?.threadState == nil)
    }

    @Test func aStopFromTheWatcherWhileWaitingForRoomSendsNothingMore() {
        var loop = Self.loop(planned: 3, concurrency: 1)
        let notices = Self.play(
            &loop,
            [
                Step(expected: "poll", event: .stopPolled(nil)),
                Step(expected: "record 3", event: .intentsRecorded(Self.items(1...3), wanted: 3)),
                Step(expected: "dispatch 1"),
                Step(expected: "poll", event: .stopPolled(nil)),
                Step(expected: "await", event: .finished(.stopRequested(.terminate))),
                // Still no room: the call in flight is awaited without a grace period first.
                Step(expected: "await", event: Self.done(1)),
                Step(expected: "close"),
                Step(expected: "settle 1:ok 2:skipped 3:skipped", event: .settled),
                Step(expected: "finish"),
            ])
        #expect(notices == [.stopRequested(.terminate)])
        #expect(loop.end == .stopped(.terminate) && loop.dispatched == 1)
    }

    /// The loop against a simulated shell answering at random: stops, aborts, refused writes,
    /// results in any order. Whatever happens, no call goes out without its intent, none after
    /// the run began stopping, never more than `concurrency` at once, and every intent ends
    /// written, still pending after a refused write, or left open by a cancelled call.
    @Test(arguments: 0..<300)
    func theInvariantsHoldWhateverTheAnswers(seed: Int) {
        var random = SplitMix64(seed: UInt64(seed) &* 0x9E37_79B9_7F4A_7C15)
        func chance(_ percent: UInt64) -> Bool { random.next() % 100 < percent }
        let planned = Int(random.next() % 13)
        let available = Int(random.next() % 14)
        let concurrency = 1 + Int(random.next() % 4)
        var loop = ActLoop(
            planned: planned, intentBatch: 1 + Int(random.next() % 5), concurrency: concurrency,
            settleBatch: 1 + Int(random.next() % 4), settleInterval: 0.25, grace: 1, report: chance(20),
            start: Self.start)
        var recorded: [Int64] = []
        var sent: Set<Int64> = []
        var inFlight: [Int64] = []
        var written: Set<Int64> = []
        var leftOpen: Set<Int64> = []
        var stop: StopReason?
        var watcherFired = false
        var grace = false
        var graceFired = false
        var cancelled = false
        var steps = 0
        var now = Self.start
        loop: while true {
            steps += 1
            guard steps < 10_000 else {
                Issue.record("seed \(seed): the loop did not finish")
                return
            }
            now += .milliseconds(Int64(random.next() % 100))
            let action = loop.next(now: now)
            let event: ActLoop.Event
            switch action {
            case .pollStop:
                if stop == nil, chance(5) { stop = chance(50) ? .interrupt : .terminate }
                event = .stopPolled(stop)
            case .recordIntents(let limit):
                if chance(5) {
                    event = .ledgerFailed(LedgerError(.io, "disk full"))
                } else {
                    let count = min(limit, available - recorded.count)
                    let ids = (0..<count).map { Int64(recorded.count + $0 + 1) }
                    recorded += ids
                    event = .intentsRecorded(
                        ids.map { WorkItem(actionID: $0, thread: ThreadRecord(id: "thread_\($0)", createdAt: 0, firstSeen: 0)) },
                        wanted: limit)
                }
            case .dispatch(let item):
                #expect(recorded.contains(item.actionID), "seed \(seed): sent without an intent")
                #expect(!sent.contains(item.actionID), "seed \(seed): sent twice")
                #expect(!loop.stopping && stop == nil, "seed \(seed): sent while stopping")
                sent.insert(item.actionID)
                inFlight.append(item.actionID)
                #expect(inFlight.count <= concurrency, "seed \(seed): more calls in flight than allowed")
                continue
            case .awaitResult:
                #expect(!inFlight.isEmpty, "seed \(seed): waits on calls that are not there")
                if stop != nil, !watcherFired, chance(30) {
                    watcherFired = true
                    event = .finished(.stopRequested(stop))
                } else if stop == nil, chance(3) {
                    stop = .terminate
                    watcherFired = true
                    event = .finished(.stopRequested(stop))
                } else if grace, !graceFired, chance(30) {
                    graceFired = true
                    event = .finished(.graceExpired)
                } else if inFlight.isEmpty {
                    event = .groupEmpty
                } else {
                    let id = inFlight.remove(at: Int(random.next() % UInt64(inFlight.count)))
                    if cancelled || chance(5) {
                        leftOpen.insert(id)
                        event = .finished(.leftOpen)
                    } else if chance(8) {
                        event = .finished(
                            .abort(
                                ActionSettlement(actionID: id, outcome: .failed), threadID: "thread_\(id)", reason: "breaker",
                                notFound: chance(50), unavailable: chance(50)))
                    } else {
                        event = Self.done(id, chance(20) ? .failed : .ok, failure: nil)
                    }
                }
            case .settle(let settlements):
                if chance(5) {
                    event = .settleFailed(LedgerError(.io, "disk full"))
                } else {
                    for settlement in settlements {
                        #expect(written.insert(settlement.actionID).inserted, "seed \(seed): an outcome written twice")
                    }
                    event = .settled
                }
            case .startGrace:
                #expect(stop != nil && !grace, "seed \(seed): a grace without a stop, or twice")
                grace = true
                continue
            case .cancelAll, .closeGroup:
                cancelled = true
                continue
            case .finish:
                break loop
            }
            _ = loop.handle(event)
        }
        #expect(inFlight.isEmpty, "seed \(seed): finished with calls in flight")
        #expect(sent.count <= planned && recorded.count <= planned)
        let pending = Set(loop.pending.map(\.actionID))
        #expect(loop.pending.isEmpty || loop.ledgerFailure != nil)
        #expect(written.union(pending).union(leftOpen) == Set(recorded), "seed \(seed): an intent without an outcome")
        #expect(written.isDisjoint(with: leftOpen) && pending.isDisjoint(with: leftOpen))
        if loop.end == .completed, loop.ledgerFailure == nil {
            #expect(recorded.count == min(planned, available), "seed \(seed): completed with work left")
        }
    }
}
