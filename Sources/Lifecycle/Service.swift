/// A long-lived part of a process (the daemon's scheduler loop, its watchdog), run by a `ServiceGroup`.
///
/// The shape of swift-service-lifecycle's `Service`: `run()` returns when the service has
/// stopped. A service stops gracefully when asked through `gracefulShutdown()` or
/// `withGracefulShutdownHandler`, and at once when its task is cancelled.
public protocol Service: Sendable {
    func run() async throws
}
