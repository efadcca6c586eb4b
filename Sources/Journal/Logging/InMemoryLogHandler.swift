import Synchronization

/// Keeps every entry in memory, for tests that assert what was logged.
public final class InMemoryLogHandler: LogHandler {
    private let stored = Mutex<[LogEntry]>([])

    public init() {}

    public func log(_ entry: LogEntry) {
        stored.withLock { $0.append(entry) }
    }

    /// Everything logged so far, oldest first.
    public var entries: [LogEntry] { stored.withLock { $0 } }

    /// The entries carrying `id`.
    public func entries(withID id: MessageID) -> [LogEntry] { entries.filter { $0.messageID == id } }

    public func removeAll() {
        stored.withLock { $0.removeAll() }
    }
}
