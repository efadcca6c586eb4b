import Emulator
import JSON
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
        #expect(
            csv(line) == .thread(ThreadImport(id: "thread_a", createdAt: 5, metadata: ["a": "1", "b": "2", "tag": "support, billing"])))
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
        (
            "thread_a,1," + CSV.field("{" + (0..<17).map { #""k\#($0)":"v""# }.joined(separator: ",") + "}"),
            "metadata has 17 keys; the API allows 16"
        ),
        (
            "thread_a,1," + CSV.field(#"{"\#(String(repeating: "k", count: 65))":"v"}"#),
            "metadata key 'kkkkkkkkkkkkkkkkkkkk…' is longer than 64"
        ),
        (
            "thread_a,1," + CSV.field(#"{"k":"\#(String(repeating: "v", count: 513))"}"#),
            "metadata value of 'k' is longer than 512 characters"
        ),
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

    /// 2025-12-06 01:51:17 UTC.
    static let stamp: Int64 = 1_764_985_877

    static let timestamps: [(String, Int64)] = [
        ("2025-12-06 01:51:17", stamp),
        ("2025-12-06T01:51:17", stamp),
        ("2025-12-06T01:51:17Z", stamp),
        ("2025-12-06 01:51:17 UTC", stamp),
        ("2025-12-06T03:51:17+02:00", stamp),
        ("2025-12-05 20:51:17 -05:00", stamp),
        ("2025-12-06 01:51:17.250", stamp),
        ("2025-12-06", stamp - 1 * 3600 - 51 * 60 - 17),
        ("@1764985877", stamp),
    ]

    @Test(arguments: timestamps)
    func csvAndJSONLReadTimestampsAsRulesDoAndAZonelessOneAsUTC(text: String, seconds: Int64) {
        #expect(csv("thread_a,\(text),") == .thread(ThreadImport(id: "thread_a", createdAt: seconds)))
        #expect(csv("thread_a,\(CSV.field(text)),") == .thread(ThreadImport(id: "thread_a", createdAt: seconds)))
        var parser = ImportLineParser(format: .jsonl)
        #expect(
            parser.parsed(#"{"id":"thread_a","created_at":"\#(text)"}"#) == .thread(ThreadImport(id: "thread_a", createdAt: seconds)))
    }

    @Test func aTimestampThatIsNoneIsNamedWithTheFormsThatWork() {
        #expect(
            csv("thread_a,2025-13-40 01:00,")
                == .bad(
                    "created_at '2025-13-40 01:00' is neither Unix seconds nor a timestamp like 2025-12-06 01:51:17, 2025-12-06T01:51:17Z or 2025-12-06T01:51:17+02:00"
                ))
    }

    @Test func aFirstLineWithACommaIsACSVHeaderAndOneWithoutAnIDColumnNamesTheColumnsFound() {
        var buffer = Array("thread_id,created_at".utf8)
        #expect(buffer.withUnsafeBufferPointer { ImportLineParser.detect($0) } == .csv)
        buffer = Array("thread_a".utf8)
        #expect(buffer.withUnsafeBufferPointer { ImportLineParser.detect($0) } == .ids)
        var parser = ImportLineParser(format: .csv)
        #expect(!parser.hasHeader)
        #expect(
            parser.parsed("thread_id,created_at")
                == .bad(
                    "the CSV header names no 'id' column (found 'thread_id', 'created_at'); name the columns id, created_at and metadata, e.g. SELECT thread_id AS id, created_at FROM … in the export"
                ))
        #expect(!parser.hasHeader)
        #expect(parser.parsed("ID, Created_At") == .blank)
        #expect(parser.hasHeader)
    }

    @Test func numbersTheFastPathTakes() {
        #expect(csv("thread_a, 42 ,") == .thread(ThreadImport(id: "thread_a", createdAt: 42)))
        #expect(csv("thread_a,007,") == .thread(ThreadImport(id: "thread_a", createdAt: 7)))
        #expect(csv("thread_a,+7,") == .thread(ThreadImport(id: "thread_a", createdAt: 7)))
        #expect(csv("thread_a,922337203685477580,") == .thread(ThreadImport(id: "thread_a", createdAt: 922_337_203_685_477_580)))
        #expect(csv("thread_a,9223372036854775807,") == .thread(ThreadImport(id: "thread_a", createdAt: .max)))
    }

    /// Random maps with keys in random order: the fast path writes what JSONWriter.sortedObject writes.
    @Test func canonicalTextMatchesJSONWriterForRandomMaps() {
        var random = SplitMix64(seed: 7)
        let alphabet = Array("abcXYZ019 -_.,:;{}[]!?~".utf8)
        for _ in 0..<500 {
            var map: [String: String] = [:]
            for _ in 0..<random.below(17) {
                let key = String(
                    decoding: (0..<random.below(8) + 1).map { _ in alphabet[random.below(alphabet.count)] }, as: UTF8.self)
                map[key] = String(
                    decoding: (0..<random.below(12)).map { _ in alphabet[random.below(alphabet.count)] }, as: UTF8.self)
            }
            let members = map.map { "\(JSONWriter.quoted($0.key)) :\(JSONWriter.quoted($0.value))" }.shuffled(using: &random)
            let text = "{" + members.joined(separator: " , ") + "}"
            var out: [UInt8] = []
            let taken = Array(text.utf8).withUnsafeBufferPointer { PlainMetadata.canonicalize($0, into: &out) }
            #expect(taken)
            #expect(String(decoding: out, as: UTF8.self) == JSONWriter.sortedObject(map), "\(text)")
        }
    }

    /// Parses `line` as JSONL.
    func jsonl(_ line: String) -> ImportLine {
        var parser = ImportLineParser(format: .jsonl)
        return parser.parsed(line)
    }

    @Test func anAPIThreadObjectTakesTheFastPath() {
        let line =
            #"{"id":"thread_a","object":"thread","created_at":1700000000,"metadata":{"user":"u-1","tag":"support"},"#
            + #""tool_resources":{"code_interpreter":{"file_ids":[]},"file_search":null},"flags":[true,false,1.5e3,-0]}"#
        #expect(
            jsonl(line) == .thread(ThreadImport(id: "thread_a", createdAt: 1_700_000_000, metadata: ["tag": "support", "user": "u-1"])))
        #expect(jsonl(#"{"id":"thread_b","created_at":null,"metadata":null}"#) == .thread(ThreadImport(id: "thread_b", metadata: [:])))
        #expect(jsonl(#" { "id" : "thread_c" } "#) == .thread(ThreadImport(id: "thread_c")))
    }

    @Test(arguments: [
        // Outside the fast path but fine: the general parser reads them.
        (
            #"{"id":"thread_a","tool_resources":{"note":"a\"b"},"metadata":{"k":"v"}}"#,
            ImportLine.thread(ThreadImport(id: "thread_a", metadata: ["k": "v"]))
        ),
        (#"{"id":"thread_x","id":"thread_a"}"#, .thread(ThreadImport(id: "thread_a"))),
        (#"{"\u0069d":"thread_a","created_at":5}"#, .thread(ThreadImport(id: "thread_a", createdAt: 5))),
        (#"{"id":"thread_a","metadata":{"é":"ü"}}"#, .thread(ThreadImport(id: "thread_a", metadata: ["é": "ü"]))),
        // Bad lines, explained by the general parser.
        (#"{"id":"thread_a","object":"thread.deleted"}"#, .bad("object is 'thread.deleted', not 'thread' or 'conversation'")),
        (#"{"id":"thread_a","created_at":1.5}"#, .bad("created_at '1.5' is not a whole number of seconds")),
        (#"{"id":"thread_a","created_at":-5}"#, .bad("created_at -5 is negative")),
        (#"{"id":"thread_a","created_at":01}"#, .bad("bad JSON: expected ',' or '}' in an object at byte 32")),
        (#"{"id":"thread_a","metadata":[1]}"#, .bad("metadata is an array, not an object")),
        (#"{"id":"thread_a","metadata":{"k":{"n":"v"}}}"#, .bad("metadata 'k' is an object, not a string")),
        (#"{"object":"thread"}"#, .bad("missing \"id\"")),
        (#"{"id":"thread a"}"#, .bad("thread id 'thread a' has a character other than letters, digits and - _ . : ~")),
        (#"{"id":"thread_a"} x"#, .bad("bad JSON: unexpected text after the value at byte 19")),
        (#"{"id":"thread_a",}"#, .bad("bad JSON: expected a quoted key at byte 18")),
    ])
    func jsonlOutsideTheFastPathReadsAsTheGeneralParserSays(line: String, expected: ImportLine) {
        #expect(jsonl(line) == expected)
    }

    /// Mutated thread objects: whenever the fast path takes a line, the general parser reads it the same.
    @Test func jsonlFastPathAgreesWithTheGeneralParserOnMutatedLines() {
        var random = SplitMix64(seed: 0x6A73_6F6E)
        let seeds = [
            #"{"id":"thread_a","object":"thread","created_at":1700000000,"metadata":{"tag":"support","user":"u-1"},"tool_resources":{}}"#,
            #"{"id":"thread_b","created_at":0,"metadata":null,"x":[1,-2.5e3,true,false,null,{"a":[]}]}"#,
        ]
        let alphabet = Array(#"{}[]:,"\ 0123456789-+.eEabtrulnfsidhm_"#.utf8)
        var taken = 0
        for _ in 0..<20_000 {
            let bytes = Self.mutated(seeds[random.below(seeds.count)], alphabet, &random)
            var parser = ImportLineParser(format: .jsonl)
            let (fast, general) = bytes.withUnsafeBufferPointer { buffer in
                (parser.parse(buffer), ImportLineParser.parseJSON(ImportLineParser.trimmed(buffer)))
            }
            if case .thread = fast { taken += 1 }
            if fast != general { Issue.record("\(String(decoding: bytes, as: UTF8.self)): \(fast) != \(general)") }
        }
        // Enough of the mutations stay valid for the comparison to mean something.
        #expect(taken > 2_000)
    }

    /// Mutated CSV lines: whenever the fast path takes a line, the general parser reads it the same.
    @Test func csvFastPathAgreesWithTheGeneralParserOnMutatedLines() {
        var random = SplitMix64(seed: 0x6373_76)
        let seeds = [
            #"thread_a,1700000000,"{""tag"":""support"",""user"":""u-1""}""#,
            #"thread_b, 42 ,"#,
            #"thread_c,,"{ ""k"" : ""a, b"" }""#,
        ]
        let alphabet = Array(#"{}[]:," 0123456789-+abkt_"#.utf8)
        var taken = 0
        for _ in 0..<20_000 {
            let bytes = Self.mutated(seeds[random.below(seeds.count)], alphabet, &random)
            var parser = ImportLineParser(format: .csv)
            _ = parser.parsed("id,created_at,metadata")
            let (fast, general) = bytes.withUnsafeBufferPointer { buffer in
                let line = ImportLineParser.trimmed(buffer)
                return (
                    parser.parse(buffer),
                    line.isEmpty ? .blank : ImportLineParser.parseCSV(line, ImportLineParser.Columns(id: 0, createdAt: 1, metadata: 2))
                )
            }
            if case .thread = fast { taken += 1 }
            if fast != general { Issue.record("\(String(decoding: bytes, as: UTF8.self)): \(fast) != \(general)") }
        }
        #expect(taken > 2_000)
    }

    /// `seed` with one to three bytes replaced, inserted or removed, from `alphabet`.
    static func mutated(_ seed: String, _ alphabet: [UInt8], _ random: inout SplitMix64) -> [UInt8] {
        var bytes = Array(seed.utf8)
        for _ in 0..<(1 + random.below(3)) {
            let position = random.below(bytes.count)
            switch random.below(3) {
            case 0: bytes[position] = alphabet[random.below(alphabet.count)]
            case 1: bytes.insert(alphabet[random.below(alphabet.count)], at: position)
            default: bytes.remove(at: position)
            }
        }
        return bytes
    }
}
