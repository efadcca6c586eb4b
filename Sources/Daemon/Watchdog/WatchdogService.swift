import Foundation
import Lifecycle

/// Sends `WATCHDOG=1` every half of `WATCHDOG_USEC` while the scheduler loop answers.
///
/// sd_watchdog_enabled(3): "It is recommended that a daemon sends a keep-alive notification
/// message to the service manager every half of the time returned here." Each ping first awaits
/// `heartbeat` (a call into the scheduler actor): when that actor is stuck, the pings stop and
/// systemd restarts the service, which is the point of the watchdog.
public struct WatchdogService: Service {
    public let timeout: Duration
    private let clock: any Clock<Duration>
    private let heartbeat: @Sendable () async -> Void
    private let ping: @Sendable () -> Void

    /// The time between pings for a watchdog timeout: half of it.
    public static func interval(forTimeout timeout: Duration) -> Duration { timeout / 2 }

    public var interval: Duration { Self.interval(forTimeout: timeout) }

    public init(
        timeout: Duration, clock: any Clock<Duration> = ContinuousClock(), heartbeat: @escaping @Sendable () async -> Void,
        ping: @escaping @Sendable () -> Void
    ) {
        self.timeout = timeout
        self.clock = clock
        self.heartbeat = heartbeat
        self.ping = ping
    }

    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            await heartbeat()
            if Task.isCancelled || Task.isShuttingDownGracefully { return }
            ping()
            if await sleepUnlessStopped(for: interval, clock: clock) { return }
        }
    }
}
