import Foundation

/// A structured logger in the shape of swift-log's `Logger`, with syslog priorities as levels.
///
/// The handler is injected, never global: commands build one from `--log-target` and
/// `--log-format` (see `LogRouting`), tests pass an `InMemoryLogHandler`. Metadata set on the
/// logger (`rule`, `run`) is attached to every entry; metadata passed to a call wins over it.
public struct Logger: Sendable {
    /// A syslog priority (`PRIORITY=` in the journal): lower is more severe.
    public enum Level: Int, Sendable, CaseIterable, Comparable, CustomStringConvertible {
        case emergency = 0
        case alert = 1
        case critical = 2
        case error = 3
        case warning = 4
        case notice = 5
        case info = 6
        case debug = 7

        /// The name `journalctl -p` accepts for this priority.
        public var name: String {
            switch self {
            case .emergency: "emerg"
            case .alert: "alert"
            case .critical: "crit"
            case .error: "err"
            case .warning: "warning"
            case .notice: "notice"
            case .info: "info"
            case .debug: "debug"
            }
        }

        public var description: String { name }

        /// The level named `text` (`err`, `error`, `warning`, `7`…), or nil.
        public init?(name text: String) {
            let lowered = text.lowercased()
            if let number = Int(lowered), let level = Level(rawValue: number) {
                self = level
                return
            }
            let aliases: [String: Level] = ["error": .error, "warn": .warning, "critical": .critical, "emergency": .emergency]
            if let level = Level.allCases.first(where: { $0.name == lowered }) ?? aliases[lowered] {
                self = level
            } else {
                return nil
            }
        }

        /// Ordered by severity as in swift-log: `.debug < .info < … < .emergency`.
        public static func < (lhs: Level, rhs: Level) -> Bool { lhs.rawValue > rhs.rawValue }
    }

    public typealias Metadata = [String: String]

    /// The program name; the journal handler sends it as `SYSLOG_IDENTIFIER=`.
    public var label: String
    public var handler: any LogHandler
    /// Entries less severe than this are dropped before they reach the handler.
    public var logLevel: Level
    /// Attached to every entry this logger emits.
    public var metadata: Metadata

    public init(label: String = "threadkeeper", handler: any LogHandler, logLevel: Level = .info, metadata: Metadata = [:]) {
        self.label = label
        self.handler = handler
        self.logLevel = logLevel
        self.metadata = metadata
    }

    public subscript(metadataKey key: String) -> String? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// A copy of this logger with `extra` merged into its metadata.
    public func with(_ extra: Metadata) -> Logger {
        var copy = self
        copy.metadata.merge(extra) { _, new in new }
        return copy
    }

    /// Emits one entry if `level` is at least as severe as `logLevel`.
    public func log(
        level: Level, _ message: @autoclosure () -> String, id: MessageID? = nil,
        metadata extra: @autoclosure () -> Metadata = [:],
        file: String = #fileID, function: String = #function, line: UInt = #line
    ) {
        guard level >= logLevel else { return }
        var merged = metadata
        merged.merge(extra()) { _, new in new }
        handler.log(
            LogEntry(
                label: label, level: level, message: message(), messageID: id, metadata: merged, date: Date(),
                source: LogEntry.Source(file: file, function: function, line: line)))
    }

    public func debug(
        _ message: @autoclosure () -> String, id: MessageID? = nil, metadata: @autoclosure () -> Metadata = [:],
        file: String = #fileID, function: String = #function, line: UInt = #line
    ) {
        log(level: .debug, message(), id: id, metadata: metadata(), file: file, function: function, line: line)
    }

    public func info(
        _ message: @autoclosure () -> String, id: MessageID? = nil, metadata: @autoclosure () -> Metadata = [:],
        file: String = #fileID, function: String = #function, line: UInt = #line
    ) {
        log(level: .info, message(), id: id, metadata: metadata(), file: file, function: function, line: line)
    }

    public func notice(
        _ message: @autoclosure () -> String, id: MessageID? = nil, metadata: @autoclosure () -> Metadata = [:],
        file: String = #fileID, function: String = #function, line: UInt = #line
    ) {
        log(level: .notice, message(), id: id, metadata: metadata(), file: file, function: function, line: line)
    }

    public func warning(
        _ message: @autoclosure () -> String, id: MessageID? = nil, metadata: @autoclosure () -> Metadata = [:],
        file: String = #fileID, function: String = #function, line: UInt = #line
    ) {
        log(level: .warning, message(), id: id, metadata: metadata(), file: file, function: function, line: line)
    }

    public func error(
        _ message: @autoclosure () -> String, id: MessageID? = nil, metadata: @autoclosure () -> Metadata = [:],
        file: String = #fileID, function: String = #function, line: UInt = #line
    ) {
        log(level: .error, message(), id: id, metadata: metadata(), file: file, function: function, line: line)
    }

    public func critical(
        _ message: @autoclosure () -> String, id: MessageID? = nil, metadata: @autoclosure () -> Metadata = [:],
        file: String = #fileID, function: String = #function, line: UInt = #line
    ) {
        log(level: .critical, message(), id: id, metadata: metadata(), file: file, function: function, line: line)
    }
}
