import JSON
import Testing

struct JSONParserTests {
    @Test func parsesEveryKindOfValue() throws {
        let value = try JSONParser.parse(#" {"a":[1,-2.5e3,true,false,null],"b":"x\ny\u00e9\ud83d\ude00","c":{}} "#)
        #expect(
            value
                == .object([
                    (
                        "a",
                        .array([.number(JSONNumber(text: "1")!), .number(JSONNumber(text: "-2.5e3")!), .bool(true), .bool(false), .null])
                    ),
                    ("b", .string("x\nyé😀")), ("c", .object([])),
                ]))
    }

    @Test(arguments: [
        ("", "unexpected end of input at byte 1"),
        ("{\"a\":1,}", "expected a quoted key at byte 8"),
        ("[01]", "expected ',' or ']' in an array at byte 3"),
        ("\"\\ud800\"", "unpaired surrogate in a \\u escape at byte 8"),
        ("{} x", "unexpected text after the value at byte 4"),
        ("\"a\u{1}\"", "control character in a string at byte 3"),
        ("nul", "unexpected end of input at byte 1"),
    ])
    func rejectsBadJSON(text: String, message: String) {
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(text) }
        do {
            _ = try JSONParser.parse(text)
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func deepNestingIsRefused() {
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(String(repeating: "[", count: 100)) }
    }
}
