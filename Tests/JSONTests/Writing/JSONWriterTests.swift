import JSON
import Testing

struct JSONWriterTests {
    /// RFC 8259's escapes and no more: `/`, DEL and non-ASCII are written as they are.
    @Test func escapesOnlyWhatJSONRequires() {
        var writer = JSONWriter()
        writer.string("q\" b\\ n\n r\r t\t bs\u{8} ff\u{C} bell\u{7} us\u{1F} / \u{7F} é 😀")
        #expect(writer.text == #""q\" b\\ n\n r\r t\t bs\b ff\f bell\u0007 us\u001f / \#u{7F} é 😀""#)
        #expect(JSONWriter.quoted("plain") == #""plain""#)
        #expect(JSONWriter.quoted("a\"b\u{8}") == #""a\"b\b""#)
    }

    @Test(arguments: [Int64.min, -1, 0, 7, 10, Int64.max])
    func integersAsDecimalText(value: Int64) {
        var writer = JSONWriter()
        writer.integer(value)
        #expect(writer.text == String(value))
    }

    @Test func compactKeepsOrderAndSortedSortsBytes() {
        let value: JSONValue = ["b": 1, "B": 2, "a_b": [true, .null], "é": "x", "a": ["z": 1, "y": 2]]
        #expect(JSONWriter.text(value) == #"{"b":1,"B":2,"a_b":[true,null],"é":"x","a":{"z":1,"y":2}}"#)
        #expect(JSONWriter.text(value, .sortedKeys) == #"{"B":2,"a":{"y":2,"z":1},"a_b":[true,null],"b":1,"é":"x"}"#)
    }

    /// The layout `archive show` and `calendar --json` print: Foundation's, empty containers included.
    @Test func prettyPrintedLayout() {
        let value: JSONValue = ["b": [1, 2], "a": "x", "e": [], "o": [:], "n": ["k": []]]
        let expected = """
            {
              "a" : "x",
              "b" : [
                1,
                2
              ],
              "e" : [

              ],
              "n" : {
                "k" : [

                ]
              },
              "o" : {

              }
            }
            """
        #expect(JSONWriter.text(value, [.prettyPrinted, .sortedKeys]) == expected)
        #expect(JSONWriter.text([], .prettyPrinted) == "[\n\n]")
    }

    @Test func sortedObjectIsTheLedgersCanonicalText() {
        #expect(JSONWriter.sortedObject([:]) == "{}")
        #expect(JSONWriter.sortedObject(["b": "1", "a": "\n", "A": ""]) == #"{"A":"","a":"\n","b":"1"}"#)
    }

    @Test func stringMapAndRawBuildBodies() {
        var writer = JSONWriter(capacity: 16)
        writer.raw("{\"metadata\":")
        writer.stringMap([("z", "1"), ("a", "2")])
        writer.raw(",\"ok\":")
        writer.bool(true)
        writer.raw("}")
        #expect(writer.text == #"{"metadata":{"z":"1","a":"2"},"ok":true}"#)
    }
}
