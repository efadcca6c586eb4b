import TestSupport
import Testing

@testable import Ledger

/// The CSV and metadata fast paths must read every line exactly as the general path does.
struct ImportLineParserTests {
    /// Parses `line` as a CSV data line under the header `id,created_at,metadata`.
    func csv(_ line: String) -> ImportLine {
        var parser = ImportLineParser(format: .csv)
        _ = parser.parsed("id,created_at,metadata")
        return parser.parsed(line)
    }

    /// `metadata` as a CSV field, the way a spreadsheet writes JSON.
    func field(_ json: String) -> String { CSV.field(json) }

    @Test func plainMetadataBecomesTheCanonicalText() {
        let line = "thread_a,5," + field(#"{ "b" : "2", "a":"1","tag":"support, billing" }"#)
        #expect(csv(line) == .thread(ThreadImport(id: "thread_a", createdAt: 5, metadata: ["a": "1", "b": "2", "tag": "support, billing"])))
        guard case .thread(let record) = csv(line) else { return }
        #expect(record.metadataJSON == #"{"a":"1","b":"2","tag":"support, billing"}"#)
    }

    @Test(arguments: [
        // Repeated keys: the last one wins, as in the general parser.
        (#"{"a":"1","a":"2"}"#, ["a": "2"]),
        (#"{"a":"x\"y","b":"\u00e9"}"#, ["a": "x\"y", "b": "é"]),
        (#"{"é":"ü"}"#, ["é": "ü"]),
        (#"{ }"#, [:]),
        ("null", [:]),
        (#"{"k":"\#(String(repeating: "v", count: 512))"}"#, ["k": String(repeating: "v", count: 512)]),
    ])
    func metadataOutsideTheFastPathReadsTheSame(json: String, expected: [String: String]) {
        #expect(csv("thread_a,1," + field(json)) == .thread(ThreadImport(id: "thread_a", createdAt: 1, metadata: expected)))
    }

    @Test(arguments: [
        ("thread_a,1," + CSV.field("{" + (0..<17).map { #""k\#($0)":"v""# }.joined(separator: ",") + "}"),
         "metadata has 17 keys; the API allows 16"),
        ("thread_a,1," + CSV.field(#"{"\#(String(repeating: "k", count: 65))":"v"}"#),
         "metadata key 'kkkkkkkkkkkkkkkkkkkk…' is longer than 64"),
        ("thread_a,1," + CSV.field(#"{"k":"\#(String(repeating: "v", count: 513))"}"#),
         "metadata value of 'k' is longer than 512 characters"),
        ("thread_a,1," + CSV.field(#"{"k":{"n":"v"}}"#), "metadata 'k' is an object, not a string"),
        ("thread_a,1," + CSV.field(#"{"k":"v",}"#), "bad metadata JSON: expected a quoted key at byte 10"),
        ("thread_a,-5,{}", "created_at -5 is negative"),
        ("thread_a,\t5,{}", "created_at '\t5' is not a whole number of seconds"),
        ("thread_a,99999999999999999999,{}", "created_at '99999999999999999999' is not a whole number of seconds"),
        ("thread a,1,{}", "thread id 'thread a' has a character other than letters, digits and - _ . : ~"),
        (",1,{}", "empty thread id"),
    ])
    func badLinesAreExplainedByTheGeneralPath(line: String, reason: String) {
        #expect(csv(line) == .bad(reason))
    }

    @Test func numbersTheFastPathTakes() {
        #expect(csv("thread_a, 42 ,") == .thread(ThreadImport(id: "thread_a", createdAt: 42)))
        #expect(csv("thread_a,007,") == .thread(ThreadImport(id: "thread_a", createdAt: 7)))
        #expect(csv("thread_a,+7,") == .thread(ThreadImport(id: "thread_a", createdAt: 7)))
        #expect(csv("thread_a,922337203685477580,") == .thread(ThreadImport(id: "thread_a", createdAt: 922_337_203_685_477_580)))
        #expect(csv("thread_a,9223372036854775807,") == .thread(ThreadImport(id: "thread_a", createdAt: .max)))
    }

    /// Random maps with keys in random order: the fast path writes what JSONWriter writes.
    @Test func canonicalTextMatchesJSONWriterForRandomMaps() {
        var random = SplitMix64(seed: 7)
        let alphabet = Array("abcXYZ019 -_.,:;{}[]!?~".utf8)
        for _ in 0..<500 {
            var map: [String: String] = [:]
            for _ in 0..<random.next(upTo: 17) {
                let key = String(decoding: (0..<random.next(upTo: 8) + 1).map { _ in alphabet[random.next(upTo: alphabet.count)] }, as: UTF8.self)
                map[key] = String(decoding: (0..<random.next(upTo: 12)).map { _ in alphabet[random.next(upTo: alphabet.count)] }, as: UTF8.self)
            }
            let members = map.map { "\(JSONWriter.string($0.key)) :\(JSONWriter.string($0.value))" }.shuffled(using: &random)
            let text = "{" + members.joined(separator: " , ") + "}"
            var out: [UInt8] = []
            let taken = Array(text.utf8).withUnsafeBufferPointer { PlainMetadata.canonicalize($0, into: &out) }
            #expect(taken)
            #expect(String(decoding: out, as: UTF8.self) == JSONWriter.object(map), "\(text)")
        }
    }
}
