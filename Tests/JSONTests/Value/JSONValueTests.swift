import Foundation
import JSON
import Testing

struct JSONValueTests {
    @Test func numbersKeepTheirText() throws {
        let value = try JSONParser.parse(#"[1, 1.0, 1e0, -0, 12345678901234567890, 9223372036854775807]"#)
        guard case .array(let numbers) = value else {
            Issue.record("not an array")
            return
        }
        #expect(numbers.map { JSONWriter.text($0) } == ["1", "1.0", "1e0", "-0", "12345678901234567890", "9223372036854775807"])
        #expect(numbers.map(\.int64Value) == [1, nil, nil, 0, nil, Int64.max])
        #expect(numbers[0] != numbers[1])
        #expect(numbers[4].doubleValue == 12345678901234567890.0)
    }

    @Test func doublesAreWrittenAsFoundationWroteThem() {
        #expect(JSONNumber(3.0 as Double)?.text == "3")
        #expect(JSONNumber(0.1 as Double)?.text == "0.1")
        #expect(JSONNumber(1e15 as Double)?.text == "1000000000000000")
        #expect(JSONNumber(1e16 as Double)?.text == "1e+16")
        #expect(JSONNumber(1e-7 as Double)?.text == "1e-07")
        #expect(JSONNumber(-0.0 as Double)?.text == "-0")
        #expect(JSONNumber(.infinity) == nil)
        #expect(JSONValue.double(.nan) == .null)
    }

    @Test func numberFromTextTakesOnlyOneNumber() {
        #expect(JSONNumber(text: "-2.5e3")?.text == "-2.5e3")
        #expect(JSONNumber(text: "01") == nil)
        #expect(JSONNumber(text: " 1") == nil)
        #expect(JSONNumber(text: "\"1\"") == nil)
    }

    @Test func subscriptReadsTheLastMemberOfAName() throws {
        let value = try JSONParser.parse(#"{"a":1,"b":2,"a":3}"#)
        #expect(value["a"] == 3)
        #expect(value["c"] == nil)
        #expect(JSONValue.array([1])["a"] == nil)
        #expect(value.typeName == "an object")
        #expect(JSONValue.integer(1).typeName == "a number")
    }

    @Test func equalityAndHashingFollowOrder() {
        let ab: JSONValue = ["a": 1, "b": 2]
        let ba: JSONValue = ["b": 2, "a": 1]
        #expect(ab != ba)
        #expect(Set([ab, ab, ba]).count == 2)
        #expect(JSONValue.object(sorting: ["b": 2, "a": 1]) == ab)
    }

    @Test func conversionsMapNilToNull() {
        let missing: String? = nil
        let count: Int? = 4
        #expect(JSONValue(missing) == .null)
        #expect(JSONValue(count) == 4)
        #expect(JSONValue(["b": "2", "a": "1"]) == ["a": "1", "b": "2"])
        #expect(JSONValue(["x", "y"]) == ["x", "y"])
        #expect(JSONValue(2.5) == .number(2.5))
    }

    /// ThreadsAPI decodes `tool_resources` and metadata through `Codable`.
    @Test func codableRoundTripsThroughFoundation() throws {
        let text = #"{"z":[1,2.5,"s",true,null],"a":{"n":-3}}"#
        let decoded = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        #expect(decoded == ["a": ["n": -3], "z": [1, .number(2.5), "s", true, .null]])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let encoded = String(decoding: try encoder.encode(decoded), as: UTF8.self)
        #expect(encoded == #"{"a":{"n":-3},"z":[1,2.5,"s",true,null]}"#)
    }
}
