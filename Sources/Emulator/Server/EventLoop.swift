import CEpoll
import Glibc
import Synchronization

/// Timeouts and limits of the socket server.
public struct ServerTimeouts: Sendable, Equatable {
    /// A keep-alive connection with no request in progress is closed after this many seconds.
    public var idle: Double
    /// A request whose bytes started arriving must be complete within this many seconds (else 408).
    public var request: Double

    public init(idle: Double = 60, request: Double = 10) {
        self.idle = idle
        self.request = request
    }
}

/// One thread running an epoll loop over its share of the connections.
///
/// Every loop watches the shared listening socket with `EPOLLEXCLUSIVE` ("wake up one of the epoll
/// file descriptors", epoll_ctl(2)), so connections spread over the loops without a dispatcher.
final class EventLoop: @unchecked Sendable {
    // The loop's fields are touched only by its own thread after `run()` starts; `stopping` and the
    // eventfd are the only things other threads use, and both are safe to share.
    private let epollFD: Int32
    private let wakeFD: Int32
    private let listenFD: Int32
    private let limits: HTTPLimits
    private let timeouts: ServerTimeouts
    private let handler: @Sendable (EmulatorRequest) -> EmulatorDecision
    private let stopping = Atomic<Bool>(false)
    private var connections: [Int32: Connection] = [:]
    private var held = HeldResponses()
    private var readBuffer = [UInt8](repeating: 0, count: 64 * 1024)
    private var lastSweep: UInt64 = 0

    private static let readable = EPOLLIN.rawValue
    private static let writable = EPOLLOUT.rawValue

    init(
        listenFD: Int32, limits: HTTPLimits, timeouts: ServerTimeouts,
        handler: @escaping @Sendable (EmulatorRequest) -> EmulatorDecision
    ) throws(EmulatorError) {
        self.listenFD = listenFD
        self.limits = limits
        self.timeouts = timeouts
        self.handler = handler
        epollFD = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epollFD >= 0 else { throw .socket(operation: "epoll_create1", errno: errno, address: "-") }
        wakeFD = eventfd(0, Int32(EFD_NONBLOCK) | Int32(EFD_CLOEXEC))
        guard wakeFD >= 0 else {
            Glibc.close(epollFD)
            throw .socket(operation: "eventfd", errno: errno, address: "-")
        }
        var wake = epoll_event()
        wake.events = Self.readable
        wake.data.fd = wakeFD
        epoll_ctl(epollFD, EPOLL_CTL_ADD, wakeFD, &wake)
        var listen = epoll_event()
        listen.events = Self.readable | EPOLLEXCLUSIVE.rawValue
        listen.data.fd = listenFD
        epoll_ctl(epollFD, EPOLL_CTL_ADD, listenFD, &listen)
    }

    /// Asks the loop to close its connections and return from `run()`; callable from any thread.
    func stop() {
        stopping.store(true, ordering: .releasing)
        var one: UInt64 = 1
        _ = write(wakeFD, &one, 8)
    }

    func run() {
        var events = [epoll_event](repeating: epoll_event(), count: 256)
        while !stopping.load(ordering: .acquiring) {
            let timeout = nextTimeoutMilliseconds()
            let count = events.withUnsafeMutableBufferPointer { epoll_wait(epollFD, $0.baseAddress, Int32($0.count), timeout) }
            if count < 0 && errno != EINTR { break }
            for index in 0..<max(0, Int(count)) {
                let event = events[index]
                let fd = event.data.fd
                if fd == wakeFD {
                    var value: UInt64 = 0
                    _ = read(wakeFD, &value, 8)
                } else if fd == listenFD {
                    acceptAll()
                } else if let connection = connections[fd] {
                    handle(event.events, on: connection)
                }
            }
            let now = Socket.monotonicNanos()
            releaseHeld(now)
            if now &- lastSweep >= 100_000_000 {
                lastSweep = now
                sweep(now)
            }
        }
        for connection in connections.values { close(connection) }
        held.removeAll()
        epoll_ctl(epollFD, EPOLL_CTL_DEL, listenFD, nil)
        Glibc.close(wakeFD)
        Glibc.close(epollFD)
    }

    private func nextTimeoutMilliseconds() -> Int32 {
        var timeout: Int32 = 100
        if let due = held.nextDue {
            let now = Socket.monotonicNanos()
            let wait = due > now ? Int32(min(100, (due - now + 999_999) / 1_000_000)) : 0
            timeout = min(timeout, wait)
        }
        return timeout
    }

    private func acceptAll() {
        while let fd = Socket.accept(listenFD) {
            var event = epoll_event()
            event.events = Self.readable
            event.data.fd = fd
            guard epoll_ctl(epollFD, EPOLL_CTL_ADD, fd, &event) == 0 else {
                Glibc.close(fd)
                continue
            }
            connections[fd] = Connection(fd: fd, limits: limits, now: Socket.monotonicNanos(), registered: Self.readable)
        }
    }

    private func handle(_ events: UInt32, on connection: Connection) {
        if events & Self.readable != 0 || events & (EPOLLHUP.rawValue | EPOLLERR.rawValue) != 0 {
            readAvailable(connection)
        }
        if connection.closed { return }
        if events & Self.writable != 0 { flush(connection) }
        if !connection.closed { process(connection) }
    }

    private func readAvailable(_ connection: Connection) {
        let received = readBuffer.withUnsafeMutableBytes { read(connection.fd, $0.baseAddress, $0.count) }
        if received > 0 {
            connection.parser.append(readBuffer[0..<received])
            connection.lastActivity = Socket.monotonicNanos()
        } else if received == 0 {
            // The client half-closed: answer what it sent completely, then close (a partial request is dropped).
            connection.closeAfterWrite = true
            if connection.pendingOutput == 0 && connection.heldResponse == nil { process(connection) }
        } else if errno != EAGAIN && errno != EINTR {
            close(connection)
        }
    }

    /// Answers every complete request the connection holds, in order, stopping at a held answer.
    private func process(_ connection: Connection) {
        var stopReading = connection.closeAfterWrite
        while connection.heldResponse == nil && connection.pendingOutput < 256 * 1024 {
            let event = connection.parser.next()
            if case .request(let request) = event {
                let keepAlive = request.keepAlive && !stopReading
                switch handler(request) {
                case .reset:
                    abort(connection)
                    return
                case .respond(let response, let delay):
                    if !keepAlive {
                        stopReading = true
                        connection.closeAfterWrite = true
                    }
                    let headOnly = request.method == "HEAD"
                    if delay > 0 {
                        var bytes: [UInt8] = []
                        response.serialize(into: &bytes, keepAlive: keepAlive, headOnly: headOnly)
                        connection.heldResponse = bytes
                        connection.heldUntil = Socket.monotonicNanos() &+ UInt64(delay * 1_000_000_000)
                        held.push(connection.heldUntil, connection)
                    } else {
                        response.serialize(into: &connection.output, keepAlive: keepAlive, headOnly: headOnly)
                    }
                    if !keepAlive { break }
                }
                continue
            }
            if case .failure(let error) = event {
                let answer = APIErrorResponse(status: error.status, message: error.message)
                answer.response.serialize(into: &connection.output, keepAlive: false)
                connection.closeAfterWrite = true
            } else if connection.parser.takeContinueRequest() {
                EmulatorResponse.append("HTTP/1.1 100 Continue\r\n\r\n", to: &connection.output)
            }
            break
        }
        if connection.closeAfterWrite && connection.heldResponse == nil && connection.pendingOutput == 0 {
            close(connection)
            return
        }
        connection.requestStarted =
            connection.parser.hasPartialRequest ? (connection.requestStarted ?? Socket.monotonicNanos()) : nil
        flush(connection)
    }

    private func flush(_ connection: Connection) {
        while connection.pendingOutput > 0 {
            let sent = connection.output.withUnsafeBytes { raw in
                send(connection.fd, raw.baseAddress! + connection.outputOffset, connection.pendingOutput, Int32(MSG_NOSIGNAL))
            }
            if sent > 0 {
                connection.outputOffset += sent
                connection.lastActivity = Socket.monotonicNanos()
            } else if sent < 0 && (errno == EAGAIN || errno == EINTR) {
                break
            } else {
                close(connection)
                return
            }
        }
        if connection.pendingOutput == 0 {
            connection.output.removeAll(keepingCapacity: connection.output.capacity <= 64 * 1024)
            connection.outputOffset = 0
            if connection.closeAfterWrite && connection.heldResponse == nil {
                close(connection)
                return
            }
        }
        updateInterest(connection)
    }

    private func updateInterest(_ connection: Connection) {
        var wanted: UInt32 = 0
        if connection.heldResponse == nil && !connection.closeAfterWrite && connection.pendingOutput < 256 * 1024 {
            wanted |= Self.readable
        }
        if connection.pendingOutput > 0 { wanted |= Self.writable }
        guard wanted != connection.registered else { return }
        var event = epoll_event()
        event.events = wanted
        event.data.fd = connection.fd
        epoll_ctl(epollFD, EPOLL_CTL_MOD, connection.fd, &event)
        connection.registered = wanted
    }

    private func releaseHeld(_ now: UInt64) {
        while let connection = held.popDue(now) {
            guard !connection.closed, let bytes = connection.heldResponse else { continue }
            connection.heldResponse = nil
            connection.output.append(contentsOf: bytes)
            process(connection)
        }
    }

    /// Closes idle connections and answers 408 to requests that stalled.
    private func sweep(_ now: UInt64) {
        let idle = UInt64(timeouts.idle * 1_000_000_000)
        let request = UInt64(timeouts.request * 1_000_000_000)
        for connection in Array(connections.values) where connection.heldResponse == nil {
            if let started = connection.requestStarted, now &- started > request, !connection.closeAfterWrite {
                let answer = APIErrorResponse(status: 408, message: "request not received in time")
                answer.response.serialize(into: &connection.output, keepAlive: false)
                connection.closeAfterWrite = true
                flush(connection)
            } else if now &- connection.lastActivity > idle {
                close(connection)
            }
        }
    }

    private func close(_ connection: Connection) {
        guard !connection.closed else { return }
        connection.closed = true
        connections[connection.fd] = nil
        epoll_ctl(epollFD, EPOLL_CTL_DEL, connection.fd, nil)
        Glibc.close(connection.fd)
    }

    private func abort(_ connection: Connection) {
        guard !connection.closed else { return }
        connection.closed = true
        connections[connection.fd] = nil
        epoll_ctl(epollFD, EPOLL_CTL_DEL, connection.fd, nil)
        Socket.abort(connection.fd)
    }
}
