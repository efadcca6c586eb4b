import Foundation

/// The wall clock the scheduler loop reads and sleeps on; tests inject a manual one.
///
/// Calendar schedules are wall-clock events, so this is `Date`, not a monotonic clock.
public protocol WallClock: Sendable {
    var now: Date { get }
    /// Sleeps until `deadline` or a little before it; throws when cancelled.
    func sleep(until deadline: Date) async throws
}

/// The system's real-time clock.
///
/// A nap is capped at `maximumNap`, so a wall-clock change (NTP step, suspend) is noticed
/// within that long; the loop then recomputes what is due. The cap costs one wake-up per
/// `maximumNap` while idle.
public struct SystemWallClock: WallClock {
    public var maximumNap: Duration

    public init(maximumNap: Duration = .seconds(900)) {
        self.maximumNap = maximumNap
    }

    public var now: Date { Date() }

    public func sleep(until deadline: Date) async throws {
        let seconds = deadline.timeIntervalSinceNow
        guard seconds > 0 else { return }
        let nap = min(Duration.milliseconds(Int64((seconds * 1000).rounded(.up))), maximumNap)
        try await Task.sleep(for: nap)
    }
}
