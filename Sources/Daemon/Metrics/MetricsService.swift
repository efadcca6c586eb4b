import Foundation
import Lifecycle

/// Rewrites the metrics file every `interval` while the daemon runs, so the backlog and the
/// ages in it move between runs (each run's end writes it too, see `DaemonHost.writeMetrics`).
///
/// Writes once at start, then after each interval; stops at the first stop request.
public struct MetricsService: Service {
    public let interval: Duration
    private let clock: any Clock<Duration>
    private let write: @Sendable () async -> Void

    public init(interval: Duration, clock: any Clock<Duration> = ContinuousClock(), write: @escaping @Sendable () async -> Void) {
        self.interval = interval
        self.clock = clock
        self.write = write
    }

    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            await write()
            if await sleepUnlessStopped(for: interval, clock: clock) { return }
        }
    }
}
