import JSON
import Testing

/// The parser fed a document a byte at a time, as a client or a file may hand it over cut
/// short, and held to its limits and its error positions.
struct JSONParserLimitTests {
    static let document = """
        {"id":"thread_a","object":"thread","created_at":1700000000,
         "metadata":{"k":"v\\n\\u00e9","n":"\\ud83d\\ude00"},"x":[1,-2.5e3,true,false,null,{"a":[]}]}
        """

    /// Every proper prefix fails, at an offset within the prefix; the whole parses.
    @Test func dripFedPrefixesFailInsideThemselves() throws {
        let bytes = Array(Self.document.utf8)
        for length in 0..<bytes.count {
            let prefix = Array(bytes[..<length])
            do {
                let value = try JSONParser.parse(prefix)
                Issue.record("a prefix of \(length) bytes parsed as \(value)")
            } catch {
                #expect(error.offset <= length, "prefix \(length): \(error)")
                #expect(error.line >= 1 && error.column >= 1)
            }
        }
        let whole = try JSONParser.parse(bytes)
        #expect(whole["metadata"]?["k"] == "v\né")
        #expect(whole["metadata"]?["n"] == "😀")
        #expect(whole["created_at"]?.int64Value == 1_700_000_000)
    }

    @Test func errorsNameLineAndColumn() {
        do {
            _ = try JSONParser.parse("{\n  \"a\": 1,\n  \"b\" 2\n}")
            Issue.record("parsed")
        } catch {
            #expect(error.offset == 18)
            #expect(error.line == 3)
            #expect(error.column == 7)
            #expect(error.reason == "expected ':' after a key")
            #expect(error.locatedDescription == "expected ':' after a key at line 3, column 7")
            #expect(error.description == "expected ':' after a key at byte 19")
        }
    }

    @Test func depthLimitIsExact() throws {
        let limits = JSONLimits(depth: 3)
        #expect(try JSONParser.parse("[[[1]]]", limits: limits) == [[[1]]])
        do {
            _ = try JSONParser.parse("[[[[1]]]]", limits: limits)
            Issue.record("parsed")
        } catch {
            #expect(error.description == "nesting deeper than 3 levels at byte 4")
        }
    }

    @Test func sizeLimitRefusesBeforeParsing() {
        do {
            _ = try JSONParser.parse(#"{"a":"0123456789"}"#, limits: JSONLimits(bytes: 10))
            Issue.record("parsed")
        } catch {
            #expect(error.reason == "text longer than 10 bytes")
            #expect(error.offset == 10)
        }
    }

    @Test(arguments: [
        ("[1,]", "unexpected character ']' at byte 4"),
        ("{\"a\" 1}", "expected ':' after a key at byte 6"),
        ("[1 2]", "expected ',' or ']' in an array at byte 4"),
        ("-", "expected a digit at byte 2"),
        ("1.", "expected a digit after '.' at byte 3"),
        ("1e+", "expected a digit in the exponent at byte 4"),
        ("\"\\x\"", "bad escape '\\x' at byte 3"),
        ("\"\\u12G4\"", "bad hex digit in a \\u escape at byte 6"),
        ("\"abc", "unterminated string at byte 5"),
        ("tru", "unexpected end of input at byte 1"),
        ("trap", "unexpected character 't' at byte 1"),
        ("+1", "unexpected character '+' at byte 1"),
    ])
    func namesWhatWasExpected(text: String, message: String) {
        do {
            _ = try JSONParser.parse(text)
            Issue.record("parsed \(text)")
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func refusesInvalidUTF8InStrings() {
        let bytes: [UInt8] = [0x22, 0x61, 0xFF, 0x22]
        do {
            _ = try JSONParser.parse(bytes)
            Issue.record("parsed")
        } catch {
            #expect(error.description == "string is not valid UTF-8 at byte 2")
        }
    }

    @Test func readsFromSlicesAndNonContiguousBytes() throws {
        let bytes = Array("xx[1,2]yy".utf8)
        #expect(try JSONParser.parse(bytes[2..<7]) == [1, 2])
        #expect(try JSONParser.parse(Array("[true]".utf8).lazy.map { $0 }) == [true])
    }
}
