import Foundation

/// The default transport: each request is sent by `threadkeeper-http`, a helper process that
/// runs URLSession (libcurl), started when the first request comes and ended when none has
/// come for `idleTimeout` seconds.
///
/// Why a second process: linking FoundationNetworking maps libcurl, its TLS stacks and their
/// dependencies into every process that has it, about 6 MiB resident before the first request
/// and 12 MiB after it (docs/BENCHMARKS.md). The daemon is idle almost all the time; with the
/// networking in a helper it pays for it only while a run talks to the API. Everything that
/// decides (the rate limiter, retries, the breaker, what an answer proves) stays in this
/// process; the helper only carries bytes.
///
/// The helper reads frames (`HelperFrame`) on its standard input and writes answers on its
/// standard output, one Unix socket pair between the two. It ignores SIGINT and SIGTERM (a
/// Ctrl-C or systemd's stop reaches the whole process group, and the requests in flight must
/// still be answered while this process settles them) and exits when this side closes its end,
/// or dies.
public final class HelperTransport: HTTPTransport {
    /// The helper's file name.
    public static let executableName = "threadkeeper-http"

    /// The signals the helper ignores: those a terminal or systemd sends to a whole group.
    public static let stopSignals: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE]

    /// The largest answer body a request may ask for; larger limits are lowered to it.
    public static let maxResponseBytesLimit = 256 << 20

    /// Where the helper is, or why it cannot be found.
    public let executable: Result<String, TransportError>
    private let arguments: [String]
    private let idleTimeout: Double
    private let state = Locked(State())

    private struct State {
        var connection: HelperConnection?
        var nextID: UInt64 = 1
        /// Bumped whenever a request takes the connection; an idle close checks it did not move.
        var generation: UInt64 = 0
        var started = 0
    }

    /// A transport whose helper sends at most `maximumConnections` requests at once.
    ///
    /// - Parameters:
    ///   - executable: the helper; nil finds it beside this executable (the build directory) or
    ///     in `../lib/threadkeeper/` from it (where `scripts/install` puts it).
    ///   - reuseConnections: passed to the helper's `URLSessionTransport` (off by default; see there).
    ///   - idleTimeout: seconds without a request after which the helper is ended.
    public init(
        executable: String? = nil, maximumConnections: Int = 8, reuseConnections: Bool = false, idleTimeout: Double = 15
    ) {
        self.executable = executable.map { .success($0) } ?? Self.locate()
        var arguments = ["--max-connections", String(max(1, maximumConnections))]
        if reuseConnections { arguments.append("--reuse-connections") }
        self.arguments = arguments
        self.idleTimeout = idleTimeout
    }

    deinit {
        state.withLock { $0.connection }?.finish()
    }

    /// How many helper processes this transport has started.
    public var helpersStarted: Int { state.withLock { $0.started } }

    /// The process ID of the helper running now, if one is.
    public var helperProcessID: pid_t? {
        state.withLock { state in state.connection.flatMap { $0.isEnded ? nil : $0.pid } }
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        var request = request
        request.maxResponseBytes = min(request.maxResponseBytes, Self.maxResponseBytesLimit)
        let (connection, id) = try state.withLock { state -> (HelperConnection, UInt64) in
            if state.connection == nil || state.connection?.isEnded == true {
                state.connection = try HelperConnection.start(executable: executable.get(), arguments: arguments)
                state.started += 1
            }
            state.generation &+= 1
            defer { state.nextID += 1 }
            return (state.connection!, state.nextID)
        }
        defer { scheduleIdleEnd(of: connection) }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                connection.submit(id: id, request: request, continuation: continuation)
                // The helper ends the attempt at `timeout` itself; this deadline is for a helper
                // that stopped answering.
                DispatchQueue.global().asyncAfter(deadline: .now() + request.timeout + 5) { [weak connection] in
                    connection?.expire(id: id)
                }
            }
        } onCancel: {
            connection.cancel(id: id)
        }
    }

    /// Ends the helper `idleTimeout` seconds from now if no request took it meanwhile.
    private func scheduleIdleEnd(of connection: HelperConnection) {
        let generation = state.withLock { $0.generation }
        DispatchQueue.global().asyncAfter(deadline: .now() + idleTimeout) { [weak self] in
            guard let self else { return }
            let idle = self.state.withLock { state -> Bool in
                guard state.generation == generation, state.connection === connection, connection.pendingCount == 0 else {
                    return false
                }
                state.connection = nil
                return true
            }
            if idle { connection.finish() }
        }
    }

    /// The helper beside this executable, or in `../lib/threadkeeper/` from it.
    public static func locate() -> Result<String, TransportError> {
        guard let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else {
            return .failure(TransportError(.other, "cannot read /proc/self/exe to find \(executableName)"))
        }
        let directory = (executable as NSString).deletingLastPathComponent
        let candidates = [
            directory + "/" + executableName,
            ((directory as NSString).deletingLastPathComponent as NSString).appendingPathComponent(
                "lib/threadkeeper/" + executableName),
        ]
        for candidate in candidates where access(candidate, X_OK) == 0 { return .success(candidate) }
        return .failure(
            TransportError(
                .other,
                "cannot find the HTTP helper \(executableName) at \(candidates.joined(separator: " or ")); "
                    + "it sends every request: install it there (scripts/install puts it in PREFIX/lib/threadkeeper)"))
    }
}
