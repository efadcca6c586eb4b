import Foundation
import Journal
import Lifecycle

extension ServiceGroup {
    /// A group that logs what it does to its services to `logger`: stopping one at info, a
    /// second stop request at warning, a stop at debug, a cancellation at notice, a failure at error.
    public init(
        services: [any Service], logger: Logger, shutdownSignals: [Int32] = [SIGTERM, SIGINT], reloadSignals: [Int32] = [SIGHUP],
        onStart: @escaping @Sendable () async -> Void = {}, onShutdown: @escaping @Sendable () -> Void = {},
        onReload: @escaping @Sendable () async -> Void = {}
    ) {
        self.init(
            services: services, shutdownSignals: shutdownSignals, reloadSignals: reloadSignals, onStart: onStart,
            onShutdown: onShutdown, onReload: onReload
        ) { report in
            let level: Logger.Level =
                switch report {
                case .stopping: .info
                case .cancellingAll: .warning
                case .stopped: .debug
                case .cancelled: .notice
                case .failed: .error
                }
            logger.log(level: level, "\(report)")
        }
    }
}
