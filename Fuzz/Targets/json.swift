// libFuzzer harness: the JSON parser, its errors and the writer.
// Built by scripts/fuzz with Sources/JSON/**/*.swift into one module.
//
// Whatever parses must write back as text that parses to the same value (compact, sorted and
// pretty alike); whatever fails must say where, within the input.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let input = UnsafeBufferPointer(start: data, count: count)
    let limits = JSONLimits(depth: 1 + Int(count % 64))
    do throws(JSONSyntaxError) {
        let value = try JSONParser.parse(input, limits: limits)
        for format: JSONFormat in [[], [.sortedKeys], [.prettyPrinted]] {
            let text = JSONWriter.text(value, format)
            let again: JSONValue
            do throws(JSONSyntaxError) { again = try JSONParser.parse(text, limits: limits) } catch {
                preconditionFailure("the writer's text does not parse: \(error): \(text)")
            }
            if format.contains(.sortedKeys) {
                precondition(JSONWriter.text(again, format) == text, "sorted text changed on a second pass: \(text)")
            } else {
                precondition(again == value, "the value changed through the writer: \(text)")
            }
        }
    } catch {
        precondition(error.offset >= 0 && error.offset <= count, "error offset \(error.offset) outside \(count) bytes")
        precondition(error.line >= 1 && error.column >= 1, "error at line \(error.line), column \(error.column)")
    }
    return 0
}
