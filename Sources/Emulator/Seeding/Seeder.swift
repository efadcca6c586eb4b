import Glibc
import JSON

/// Fills a store with threads: generated ones (`--seed`), given ones (`--seed-file`), and writes them out (`--export`).
public enum Seeder {
    /// Adds `count` threads created over the `age` seconds before `now`, oldest first, drawn from `randomSeed`.
    ///
    /// The same arguments always give the same ids, times, metadata and messages.
    public static func seed(into store: inout ThreadStore, count: Int, age: Int64, randomSeed: UInt64, now: Int64) {
        guard count > 0 else { return }
        var random = SplitMix64(seed: randomSeed)
        store.reserveCapacity(count)
        let span = max(0, age)
        let start = now - span
        let step = max(1, span / Int64(count))
        for index in 0..<count {
            let base = start + Int64((Double(span) * Double(index) / Double(count)).rounded(.down))
            let createdAt = min(now, base + Int64(random.below(Int(min(step, Int64(Int32.max))))))
            let id = random.identifier(prefix: "thread_")
            let metadata = SeedVocabulary.metadata(&random)
            let messages = MessageLog.seeded(seed: random.next(), count: 1 + random.below(4))
            store.insert(StoredThread(id: id, createdAt: createdAt, metadata: metadata, messages: messages))
        }
    }

    /// Parses JSONL of thread objects (as the API returns them, or as `--export` writes them).
    public static func threads(fromJSONL text: [UInt8], path: String) throws(EmulatorError) -> [StoredThread] {
        var threads: [StoredThread] = []
        var lineNumber = 0
        for line in text.split(separator: 0x0A, omittingEmptySubsequences: false) {
            lineNumber += 1
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            let value: JSONValue
            do { value = try JSONParser.parse(Array(line)) } catch {
                throw .seedFile(path: path, line: lineNumber, reason: "invalid JSON (\(error.reason) at byte \(error.offset))")
            }
            guard case .object = value else { throw .seedFile(path: path, line: lineNumber, reason: "not a JSON object") }
            guard case .string(let id)? = value["id"], !id.isEmpty else {
                throw .seedFile(path: path, line: lineNumber, reason: "missing string 'id'")
            }
            if let object = value["object"], object != .string("thread") {
                throw .seedFile(path: path, line: lineNumber, reason: "'object' is not \"thread\"")
            }
            guard let createdAt = value["created_at"]?.int64Value else {
                throw .seedFile(path: path, line: lineNumber, reason: "missing integer 'created_at' of thread '\(id)'")
            }
            var metadata: [(String, String)] = []
            if let raw = value["metadata"] {
                do { metadata = try RequestValidation.metadata(raw, param: "metadata") } catch {
                    throw .seedFile(path: path, line: lineNumber, reason: "bad metadata of thread '\(id)': \(error.message)")
                }
            }
            var toolResources: JSONValue?
            if let raw = value["tool_resources"], case .object(let members) = raw, !members.isEmpty { toolResources = raw }
            threads.append(StoredThread(id: id, createdAt: createdAt, metadata: metadata, toolResources: toolResources))
        }
        return threads
    }

    /// Writes every live thread as one JSON object a line, exactly as the API returns it.
    public static func export(_ store: ThreadStore, to path: String) throws(EmulatorError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .output(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var writer = JSONWriter(capacity: 1 << 20)
        for thread in store.liveThreads {
            thread.writeJSON(into: &writer)
            writer.bytes.append(0x0A)
            if writer.bytes.count >= 1 << 20 {
                try writeAll(fd, writer.bytes, path: path)
                writer.bytes.removeAll(keepingCapacity: true)
            }
        }
        try writeAll(fd, writer.bytes, path: path)
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(EmulatorError) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                throw .output(path: path, reason: String(cString: strerror(errno)))
            }
            offset += written
        }
    }

    /// Reads a whole file.
    static func readFile(_ path: String) throws(EmulatorError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .file(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw .file(path: path, reason: String(cString: strerror(errno)))
            }
            if count == 0 { return result }
            result.append(contentsOf: chunk[0..<count])
        }
    }
}
