import Foundation
import JSON

/// Writes entries to stderr as readable text lines or as JSON lines (`--log-format json`).
///
/// Text: `2026-11-24 08:10:00 notice: run finished rule=stale-support run=12 matched=5000`.
/// JSON: one object a line with `time`, `level`, `priority`, `label`, `message`, `message_id`
/// and `metadata`. Each line is written with one write(2), so lines from several threads do
/// not interleave.
public struct StderrHandler: LogHandler {
    public enum Format: String, Sendable, CaseIterable {
        case text
        case json
    }

    public var format: Format
    public var timeZone: TimeZone
    private let sink: @Sendable (String) -> Void

    /// Writes to file descriptor `fileDescriptor` (stderr by default).
    public init(format: Format = .text, fileDescriptor: Int32 = STDERR_FILENO, timeZone: TimeZone = .current) {
        self.init(format: format, timeZone: timeZone) { line in Self.writeAll(fileDescriptor, line) }
    }

    /// Hands each formatted line (with its newline) to `sink`.
    public init(format: Format, timeZone: TimeZone = .current, sink: @escaping @Sendable (String) -> Void) {
        self.format = format
        self.timeZone = timeZone
        self.sink = sink
    }

    public func log(_ entry: LogEntry) {
        switch format {
        case .text: sink(Self.textLine(entry, timeZone: timeZone) + "\n")
        case .json: sink(Self.jsonLine(entry) + "\n")
        }
    }

    /// The readable one-line form; newlines in the message are escaped so one entry is one line.
    public static func textLine(_ entry: LogEntry, timeZone: TimeZone = .current) -> String {
        var line = "\(timestamp(entry.date, timeZone: timeZone)) \(entry.level.name): \(escapeLine(entry.message))"
        for key in entry.metadata.keys.sorted() {
            line += " \(key)=\(quoteIfNeeded(entry.metadata[key]!))"
        }
        return line
    }

    /// The JSON form, keys sorted, no trailing newline.
    public static func jsonLine(_ entry: LogEntry) -> String {
        var object: [String: JSONValue] = [
            "time": .string(iso8601(entry.date)),
            "level": .string(entry.level.name),
            "priority": .integer(Int(entry.level.rawValue)),
            "label": .string(entry.label),
            "message": .string(entry.message),
            "metadata": .object(sorting: entry.metadata.mapValues(JSONValue.string)),
        ]
        if let id = entry.messageID { object["message_id"] = .string(id.hex) }
        return JSONWriter.text(.object(sorting: object))
    }

    static func timestamp(_ date: Date, timeZone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ value: Int?) -> String { value.map { $0 < 10 ? "0\($0)" : "\($0)" } ?? "00" }
        return "\(c.year ?? 0)-\(two(c.month))-\(two(c.day)) \(two(c.hour)):\(two(c.minute)):\(two(c.second))"
    }

    static func iso8601(_ date: Date) -> String {
        date.formatted(
            .iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: true).timeZone(separator: .omitted))
    }

    static func escapeLine(_ text: String) -> String {
        guard text.contains(where: { $0 == "\n" || $0 == "\r" }) else { return text }
        return text.replacingOccurrences(of: "\r", with: "\\r").replacingOccurrences(of: "\n", with: "\\n")
    }

    static func quoteIfNeeded(_ value: String) -> String {
        let plain = !value.isEmpty && !value.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" || $0 == "\n" || $0 == "\r" })
        if plain { return value }
        let escaped = value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return "\"" + escapeLine(escaped) + "\""
    }

    private static func writeAll(_ fd: Int32, _ line: String) {
        var bytes = Array(line.utf8)
        bytes.withUnsafeMutableBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return  // the reader went away: nothing useful to do with a log line
                }
                offset += written
            }
        }
    }
}
