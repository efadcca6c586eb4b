import Emulator
import Executor
import Foundation
import ThreadsAPI

/// `threadkeeper-bench archive [MESSAGES…]`: the archive's gzip (zlib, level 9) against
/// `gzip -9 -n` on the same document, and the time to compress and to read it back.
///
/// The documents have the shape of format 2 (one thread, one page of messages per 100) with
/// seeded ids and text, so runs compare; an archive directory of real ones can be measured
/// with `zcat` and `gzip -9` as docs/BENCHMARKS.md shows.
enum ArchiveBenchmark {
    static func run(_ arguments: [String]) throws {
        let counts = arguments.isEmpty ? [20, 200, 2000] : arguments.compactMap { Int($0) }
        for messages in counts {
            let document = ArchiveBenchmark.document(messages: messages)
            let repeats = max(3, 2000 / messages)
            var file: [UInt8] = []
            let compress = RulesBenchmark.milliseconds { for _ in 0..<repeats { file = Gzip.compress(document) } }
            var back: [UInt8] = []
            let read = try RulesBenchmark.milliseconds { for _ in 0..<repeats { back = try Gzip.decompress(file) } }
            precondition(back == document, "the archive did not read back")
            let gzip = try gzipNine(document)
            print(
                "archive: \(messages) messages, \(document.count) B: \(file.count) B (\(percent(file.count, of: document.count)) of the JSON; "
                    + "gzip -9 \(gzip) B, \(String(format: "%+.1f%%", (Double(file.count) / Double(gzip) - 1) * 100))), "
                    + String(format: "compress %.2f ms, read %.2f ms", compress / Double(repeats), read / Double(repeats)))
        }
    }

    static func percent(_ part: Int, of whole: Int) -> String {
        String(format: "%.1f%%", Double(part) / Double(whole) * 100)
    }

    /// The size `gzip -9 -n` makes of `bytes` (no name or time in the header, as the archive).
    static func gzipNine(_ bytes: [UInt8]) throws -> Int {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/gzip")
        process.arguments = ["-9", "-n", "-c"]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        // The document is written from another thread: gzip's output fills its pipe meanwhile.
        let writer = Thread {
            input.fileHandleForWriting.write(Data(bytes))
            try? input.fileHandleForWriting.close()
        }
        writer.start()
        let compressed = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return compressed.count
    }

    /// A format-2 document of one thread with `messages` messages of 8 to 67 words.
    static func document(messages: Int) -> [UInt8] {
        var random = SplitMix64(seed: 0x9E37_79B9_7F4A_7C15)
        let words = [
            "the", "order", "refund", "shipping", "please", "account", "thanks", "invoice", "delivery", "password", "reset",
            "customer", "support", "ticket", "issue", "resolved", "hello", "could", "you", "check", "status", "payment", "card",
            "address", "update", "error", "message", "days", "week", "number",
        ]
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        func id(_ prefix: String) -> String {
            prefix + String((0..<24).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] })
        }
        let thread = id("thread_")
        var pages: [String] = []
        var page: [String] = []
        for index in 0..<messages {
            let text = (0..<(8 + Int(random.next() % 60))).map { _ in words[Int(random.next() % UInt64(words.count))] }
            page.append(
                "{\"id\":\"\(id("msg_"))\",\"object\":\"thread.message\",\"created_at\":\(1_762_000_000 + index * 37),"
                    + "\"assistant_id\":null,\"thread_id\":\"\(thread)\",\"run_id\":null,\"role\":\"\(index % 2 == 0 ? "user" : "assistant")\","
                    + "\"content\":[{\"type\":\"text\",\"text\":{\"value\":\"\(text.joined(separator: " "))\",\"annotations\":[]}}],"
                    + "\"attachments\":[],\"metadata\":{}}")
            if page.count == 100 || index == messages - 1 {
                pages.append(
                    "{\"object\":\"list\",\"data\":[\(page.joined(separator: ","))],\"first_id\":null,\"last_id\":null,\"has_more\":\(index < messages - 1)}"
                )
                page = []
            }
        }
        let head =
            "{\"format\":2,\"archived_at\":1764990000,\"rule\":\"support-30d\",\"run\":42,\"thread\":{\"id\":\"\(thread)\","
            + "\"object\":\"thread\",\"created_at\":1762000000,\"metadata\":{\"team\":\"support\",\"customer\":\"\(id("cus_"))\"},"
            + "\"tool_resources\":{}},\"message_pages\":["
        return Array((head + pages.joined(separator: ",\n") + "]}").utf8)
    }
}
