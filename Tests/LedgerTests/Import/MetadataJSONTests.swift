import JSON
import Testing

@testable import Ledger

struct MetadataJSONTests {
    @Test func writerIsCanonicalAndParsesBack() throws {
        let map = ["b": "2", "a": "quote \" back \\ nl \n tab \t bell \u{7}", "é": ""]
        let text = JSONWriter.sortedObject(map)
        #expect(text == #"{"a":"quote \" back \\ nl \n tab \t bell \u0007","b":"2","é":""}"#)
        #expect(MetadataJSON.map(text) == map)
    }

    @Test func storedMetadataKeepsNumbersAsWrittenAndFailsClosed() {
        #expect(
            MetadataJSON.stored(#"{"n":1.50,"big":12345678901234567890,"x":[1,"a"],"h":null}"#)
                == ["n": "1.50", "big": "12345678901234567890", "x": #"[1,"a"]"#, "h": "null"])
        #expect(MetadataJSON.stored("[1]") == nil)
        #expect(MetadataJSON.stored("{") == nil)
    }
}
