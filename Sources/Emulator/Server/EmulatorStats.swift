import JSON

/// What the emulator has served, as `GET /_emulator/stats` reports it.
public struct EmulatorStats: Sendable, Equatable {
    /// Requests by method (`GET`, `POST`, `DELETE`), not counting `/_emulator/` calls.
    public var requestsByMethod: [String: Int] = [:]
    /// Answers by HTTP status; connections reset on purpose are counted under `resets`.
    public var requestsByStatus: [Int: Int] = [:]
    public var totalRequests = 0
    public var liveThreads = 0
    public var deletedThreads = 0
    /// DELETEs of threads that were already deleted.
    public var repeatedDeletes = 0
    /// The most requests that arrived within one wall-clock second.
    public var peakRequestsPerSecond = 0
    /// Connections closed without an answer by `--reset-rate`.
    public var resets = 0

    public init() {}

    /// The JSON object `GET /_emulator/stats` answers.
    public var json: [UInt8] {
        var writer = JSONWriter(capacity: 512)
        writer.raw("{\"requests\":{\"total\":")
        writer.integer(totalRequests)
        writer.raw(",\"by_method\":{")
        for (index, key) in requestsByMethod.keys.sorted().enumerated() {
            if index > 0 { writer.raw(",") }
            writer.string(key)
            writer.raw(":")
            writer.integer(requestsByMethod[key] ?? 0)
        }
        writer.raw("},\"by_status\":{")
        for (index, key) in requestsByStatus.keys.sorted().enumerated() {
            if index > 0 { writer.raw(",") }
            writer.string(String(key))
            writer.raw(":")
            writer.integer(requestsByStatus[key] ?? 0)
        }
        writer.raw("},\"resets\":")
        writer.integer(resets)
        writer.raw(",\"peak_per_second\":")
        writer.integer(peakRequestsPerSecond)
        writer.raw("},\"threads\":{\"live\":")
        writer.integer(liveThreads)
        writer.raw(",\"deleted\":")
        writer.integer(deletedThreads)
        writer.raw(",\"repeated_deletes\":")
        writer.integer(repeatedDeletes)
        writer.raw("}}")
        return writer.bytes
    }
}
