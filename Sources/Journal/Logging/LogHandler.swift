/// Receives complete log entries and writes them somewhere.
///
/// Unlike swift-log's handlers, level filtering and metadata merging happen in `Logger`,
/// so a handler only formats and delivers. `log` must not block for long: it is called
/// inline from the code that emits the event.
public protocol LogHandler: Sendable {
    func log(_ entry: LogEntry)
}

/// Sends every entry to each of several handlers, in order (journald and a terminal, say).
public struct MultiplexLogHandler: LogHandler {
    public var handlers: [any LogHandler]

    public init(_ handlers: [any LogHandler]) {
        self.handlers = handlers
    }

    public func log(_ entry: LogEntry) {
        for handler in handlers { handler.log(entry) }
    }
}

/// Drops every entry (`--quiet` paths and benchmarks).
public struct NullLogHandler: LogHandler {
    public init() {}
    public func log(_ entry: LogEntry) {}
}
