import Foundation

/// One event as a handler receives it: everything the logger knew when it was emitted.
public struct LogEntry: Sendable, Equatable {
    /// Where in the source the entry was emitted (`CODE_FILE`, `CODE_LINE`, `CODE_FUNC` in the journal).
    public struct Source: Sendable, Equatable {
        public var file: String
        public var function: String
        public var line: UInt

        public init(file: String, function: String, line: UInt) {
            self.file = file
            self.function = function
            self.line = line
        }
    }

    public var label: String
    public var level: Logger.Level
    public var message: String
    public var messageID: MessageID?
    public var metadata: Logger.Metadata
    public var date: Date
    public var source: Source?

    public init(
        label: String = "threadkeeper", level: Logger.Level, message: String, messageID: MessageID? = nil,
        metadata: Logger.Metadata = [:], date: Date = Date(), source: Source? = nil
    ) {
        self.label = label
        self.level = level
        self.message = message
        self.messageID = messageID
        self.metadata = metadata
        self.date = date
        self.source = source
    }
}
